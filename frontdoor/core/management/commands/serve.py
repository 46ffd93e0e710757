from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve Frontdoor with the waitress WSGI server (static files included)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument("--threads", type=int, default=8, help="Worker threads.")

    def handle(self, *args, host, port, threads, **options):
        from waitress import serve

        from frontdoor.wsgi import application

        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        self.stdout.write(
            f"{settings.FRONTDOOR_SITE_NAME} is at http://{host}:{port}/ (Ctrl-C stops it)"
        )
        try:
            serve(application, host=host, port=port, threads=threads, ident="frontdoor")
        except OSError as error:
            raise CommandError(f"Cannot listen on {host}:{port}: {error.strerror}.") from error
