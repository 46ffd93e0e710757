"""The `frontdoor` command: Django's management commands under one friendly name."""

import gc
import os
import sys

USAGE = """usage: frontdoor COMMAND [options]

Frontdoor: the digital front door to a city's tech ecosystem.

Main commands (each has --help):
  demo       migrate, load the Milton Keynes demo data and serve it on http://127.0.0.1:8000/
  serve      serve the site (waitress) on a host and port
  generate   add clearly labelled synthetic organisations in volume, with a progress bar
  sync       import every due ICS calendar feed
  search     rebuild the search index from the database ("frontdoor search rebuild")
  insights   import Companies House and ONS files, compute ecosystem figures

Every Django management command works too: frontdoor migrate, frontdoor createsuperuser,
frontdoor check ... ("frontdoor help" lists them all).
"""


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    if len(argv) < 2 or argv[1] in {"-h", "--help"}:
        print(USAGE)
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
    # Start-up makes some 150,000 objects that live as long as the process. The garbage
    # collector would walk them again and again while they are made, and once more at
    # exit: about a third of a second per command, a twentieth of a national import. So
    # it rests until the command is loaded, and then leaves those objects out (`Utility`).
    gc.disable()
    from django.core.exceptions import ImproperlyConfigured
    from django.db import OperationalError, ProgrammingError

    argv[0] = "frontdoor"
    # The usual set-up mistakes in one line each, not a traceback.
    try:
        _utility()(argv).execute()
    except ImproperlyConfigured as error:
        print(f"frontdoor: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # Ctrl-C is how an operator stops a long command; every command here leaves whole
        # batches behind (a sync's feed, a generate's batch), so a line says enough.
        print("frontdoor: stopped.", file=sys.stderr)
        return 130
    except (OperationalError, ProgrammingError) as error:
        # Set-up problems only (cannot connect; no tables yet): any other database error is
        # a bug, and its traceback is wanted.
        missing = "no such table" in str(error) or "does not exist" in str(error)
        if isinstance(error, ProgrammingError) and not missing:
            raise
        print(
            f"frontdoor: the database refused: {str(error).strip()}. Check DATABASE_URL, "
            "and run `frontdoor migrate` on a new database.",
            file=sys.stderr,
        )
        return 1
    finally:
        gc.enable()
    # All is written and closed: the collector's last walk at exit would find nothing the
    # operating system does not free anyway.
    gc.freeze()
    return 0


def _utility():
    """Django's command runner, letting the collector work again once the command is loaded
    (Django is imported here, while the collector rests)."""
    from django.core.management import ManagementUtility

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand):
            command = super().fetch_command(subcommand)  # Django set up, command imported
            gc.freeze()
            gc.enable()
            return command

    return Utility


if __name__ == "__main__":
    sys.exit(main())
