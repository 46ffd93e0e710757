from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]", "::1"}


class Command(BaseCommand):
    help = "Serve Frontdoor with the waitress WSGI server (static files included)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument("--threads", type=int, default=8, help="Worker threads.")

    def handle(self, *args, host, port, threads, **options):
        from waitress import create_server

        from frontdoor.wsgi import application

        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        if threads < 1:  # waitress would start, and then answer nobody
            raise CommandError(f"--threads must be at least 1, not {threads}.")
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database is not up to date: run `frontdoor migrate` first.")
        try:
            server = create_server(
                application, host=host, port=port, threads=threads, ident="frontdoor", **proxied()
            )
        except (OSError, ValueError) as error:
            why = getattr(error, "strerror", None) or error
            raise CommandError(f"Cannot listen on {host}:{port}: {why}.") from error
        for line in self.warnings(host):
            self.stderr.write(line)
        # An address a browser can open: this machine for "every address", IPv6 bracketed.
        shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}.get(host, host)
        if ":" in shown and not shown.startswith("["):
            shown = f"[{shown}]"
        self.stdout.write(
            f"{settings.FRONTDOOR_SITE_NAME} is at http://{shown}:{port}/ (Ctrl-C stops it)"
        )
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()

    def warnings(self, host):
        """What would make the site answer 400 to everyone but this machine."""
        if host in LOOPBACK_NAMES or set(settings.ALLOWED_HOSTS) - LOOPBACK_NAMES - {"testserver"}:
            return []
        return [
            f"Listening on {host}, but only this machine's own names are allowed: other "
            "machines get 400. Set FRONTDOOR_ALLOWED_HOSTS to the names people will use "
            "(e.g. tech.example.org,192.0.2.10)."
        ]


def proxied():
    """Waitress's proxy settings. Behind a proxy that ends HTTPS (nginx, a load balancer),
    waitress must believe its X-Forwarded-* headers, or Django sees every request as plain
    http from the proxy: redirects loop, logins fail the origin check, and every visitor
    shares one rate limit. Waitress drops those headers from anyone it does not trust."""
    count = settings.REST_FRAMEWORK["NUM_PROXIES"]
    if not count:
        return {}
    return {
        "trusted_proxy": settings.FRONTDOOR_PROXY_ADDRESS,
        "trusted_proxy_count": count,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
    }
