from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from frontdoor.directory.generate import organisations_generate


class Command(BaseCommand):
    help = (
        "Add clearly labelled synthetic organisations (source 'synthetic') in batches, "
        "with a progress bar. Safe to stop and run again: numbering continues."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisations", type=int, default=1_000_000, help="How many (default 1,000,000)."
        )
        parser.add_argument("--batch-size", type=int, default=10_000, help="Rows per transaction.")
        parser.add_argument(
            "--seed", type=int, default=None, help="Random seed, for repeatable runs."
        )

    def handle(self, *args, organisations, batch_size, seed, **options):
        if organisations < 1:
            raise CommandError("--organisations must be at least 1.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        with tqdm(total=organisations, unit="org", unit_scale=True, file=self.stderr._out) as bar:
            made = organisations_generate(
                organisations, batch_size=batch_size, seed=seed, progress=bar.update
            )
        self.stdout.write(f"Added {made:,} synthetic organisations.")
