"""Progress bars for the `frontdoor` commands."""

from tqdm import tqdm


def progress_bar(command, verbosity, **options):
    """A progress bar on a command's standard error, drawn on a terminal only: into a file, a
    pipe or cron's mail every redraw would be one more run of text. -v0 hides it too."""
    return tqdm(file=command.stderr._out, disable=None if verbosity else True, **options)
