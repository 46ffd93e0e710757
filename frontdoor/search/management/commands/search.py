import time

from django.core.management.base import BaseCommand, CommandError

from frontdoor.core.progress import progress_bar
from frontdoor.search.actions import index_rebuild
from frontdoor.search.backend import KINDS, database_position, published, search_index
from frontdoor.search.models import Change


class Command(BaseCommand):
    help = (
        "The search index: `rebuild` remakes it from the database (a progress bar shows "
        "documents written); `status` compares it with the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "status"])

    def handle(self, *args, action, verbosity, **options):
        if action == "rebuild":
            self.rebuild(verbosity)
        else:
            self.status()

    def rebuild(self, verbosity):
        total = sum(published(kind).count() for kind in KINDS)
        started = time.monotonic()
        try:
            with progress_bar(self, verbosity, total=total, unit="doc", unit_scale=True) as bar:
                count = index_rebuild(progress=bar.update)
        except OSError as error:
            raise CommandError(f"Could not write the search index: {error}") from error
        seconds = time.monotonic() - started
        self.stdout.write(f"Indexed {count:,} records in {seconds:.1f} s.")

    def status(self):
        try:
            searcher = search_index().ready()
        except OSError as error:
            raise CommandError(f"Could not open the search index: {error}") from error
        generation = database_position().generation
        published_count = sum(published(kind).count() for kind in KINDS)
        self.stdout.write(
            f"Index generation {generation}: {searcher.num_docs:,} documents; "
            f"{published_count:,} published records; "
            f"{Change.objects.count():,} changes logged since the last rebuild."
        )
