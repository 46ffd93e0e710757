from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from frontdoor.core.progress import progress_bar
from frontdoor.events.actions import feeds_sync_due
from frontdoor.events.models import Feed


class Command(BaseCommand):
    help = (
        "Import every due calendar feed (ICS), or the ones named. Run it from cron or a "
        "systemd timer (docs/events.md). Exits non-zero if any feed failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "feeds", nargs="*", type=int, help="Feed ids to sync now, due or not (default: due)."
        )
        parser.add_argument("--all", action="store_true", help="Every active feed, due or not.")

    def handle(self, *args, feeds, all, verbosity, **options):
        if feeds:
            # An id past what the column holds names no feed, and could not even be asked for.
            low, high = connections[Feed.objects.db].ops.integer_field_range(
                Feed._meta.pk.get_internal_type()
            )
            chosen = Feed.objects.filter(pk__in=[pk for pk in feeds if low <= pk <= high])
            missing = set(feeds) - set(chosen.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No feed with id {', '.join(map(str, sorted(missing)))}.")
        elif all:
            chosen = Feed.objects.filter(active=True)
        else:
            chosen = Feed.objects.due()
        failed = []
        chosen = list(chosen)
        with progress_bar(self, verbosity, total=len(chosen), unit="feed") as bar:

            def progress(feed, sync):
                bar.update()
                line = (
                    f"{feed.name}: {sync.get_outcome_display()}; {sync.added} added, "
                    f"{sync.updated} updated, {sync.cancelled} cancelled, "
                    f"{sync.unchanged} unchanged, {sync.merged} merged"
                )
                if sync.outcome == Feed.Outcome.FAILED:
                    failed.append(feed)
                    line += f"\n  {sync.messages.splitlines()[0]}"
                elif not verbosity:  # -v0 names failed feeds only, so cron mails only then
                    return
                bar.write(line, file=self.stdout._out)

            results = feeds_sync_due(feeds=chosen, progress=progress)
        if verbosity:
            self.stdout.write(f"Synced {len(results)} feed(s).")
        if failed:
            raise CommandError(f"{len(failed)} of {len(results)} feed(s) failed: see above.")
