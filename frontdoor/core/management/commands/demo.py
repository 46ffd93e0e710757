import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from frontdoor.core.demo import demo_load


class Command(BaseCommand):
    help = "Migrate, load the Milton Keynes demo data, create a curator login, and serve."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Load the data, then stop.")

    def handle(self, *args, host, port, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        counts = demo_load()
        self.stdout.write("Demo data: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
        self._ensure_curator()
        if not no_serve:
            call_command("serve", host=host, port=port)

    def _ensure_curator(self):
        users = get_user_model().objects
        if users.filter(username="curator").exists():
            self.stdout.write(
                "Curator login: 'curator' (password as first printed; "
                "`.venv/bin/frontdoor changepassword curator` sets a new one)."
            )
            return
        password = secrets.token_urlsafe(12)
        users.create_superuser("curator", password=password)
        self.stdout.write(f"Curator login for /admin/: curator / {password} (printed once only)")
