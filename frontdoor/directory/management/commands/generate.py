from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from frontdoor.core.progress import progress_bar
from frontdoor.directory.generate import organisations_generate


class Command(BaseCommand):
    help = (
        "Add clearly labelled synthetic organisations (source 'synthetic') in batches, "
        "with a progress bar, for load tests. Safe to stop and run again: numbering "
        "continues. They are published: on a live site (FRONTDOOR_PRODUCTION=1) it asks for "
        "--yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, required=True, help="How many.")
        parser.add_argument("--batch-size", type=int, default=10_000, help="Rows per transaction.")
        parser.add_argument(
            "--seed", type=int, default=None, help="Random seed, for repeatable runs."
        )
        parser.add_argument(
            "--yes", action="store_true", help="Add them even on a live site (production)."
        )

    def handle(self, *args, organisations, batch_size, seed, yes, verbosity, **options):
        if settings.PRODUCTION and not yes:
            raise CommandError(
                "This is a live site (FRONTDOOR_PRODUCTION=1): synthetic organisations would be "
                "published to everyone. Give --yes if that is what you want."
            )
        if organisations < 1:
            raise CommandError("--organisations must be at least 1.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        with progress_bar(self, verbosity, total=organisations, unit="org", unit_scale=True) as bar:
            made = organisations_generate(
                organisations, batch_size=batch_size, seed=seed, progress=bar.update
            )
        self.stdout.write(f"Added {made:,} synthetic organisations.")
