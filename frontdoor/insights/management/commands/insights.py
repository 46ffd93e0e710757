import datetime
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from frontdoor.core.progress import progress_bar
from frontdoor.insights.companies import ImportFailed, companies_import
from frontdoor.insights.csvfiles import DEFAULT_MAX_BAD_SHARE
from frontdoor.insights.figures import figures_refresh, snapshots_relocate
from frontdoor.insights.generate import companies_generate
from frontdoor.insights.postcode_files import PostcodeImportError, postcodes_import


def parse_month(value):
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise CommandError(f"“{value}” is not a month such as 2025-11.") from error


class Command(BaseCommand):
    help = "Ecosystem insights from open data: import Companies House and ONS files, figures."
    # The checks import every view (and the chart renderer): seconds an import does not need.
    # `frontdoor check` still runs them.
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = sub.add_parser(
            "import-companies",
            help="Import a Companies House bulk file (one-file zip, part files or CSV).",
        )
        imp.add_argument("paths", nargs="+", metavar="PATH", help="The zip(s), CSV or a folder.")
        imp.add_argument("--month", help="YYYY-MM, if the file name does not say.")
        _max_bad_share(imp)
        imp.add_argument(
            "--force",
            action="store_true",
            help="Import the file even if it has under half the rows of that month's snapshot.",
        )
        pc = sub.add_parser(
            "import-postcodes",
            help="Use an ONS Postcode Directory or NSPL CSV (or its zip) for postcode lookups.",
        )
        pc.add_argument("path", help="The zip, a CSV from its Data folder, or the unzipped folder.")
        _max_bad_share(pc)
        pc.add_argument(
            "--force",
            action="store_true",
            help="Use the file even if it has under half the postcodes of the lookup in use.",
        )
        sub.add_parser("refresh", help="Recompute the cached figures of every area.")
        gen = sub.add_parser(
            "generate-companies",
            help="Write a synthetic Companies House bulk file in the published format.",
        )
        gen.add_argument("directory")
        gen.add_argument("--rows", type=int, default=10_000)
        gen.add_argument("--month", default=None, help="YYYY-MM (default: this month).")
        gen.add_argument("--packaging", choices=["csv", "zip", "parts"], default="csv")
        gen.add_argument("--parts", type=int, default=7)
        gen.add_argument("--seed", type=int, default=0)
        gen.add_argument("--start", type=int, default=0, help="First company's serial number.")

    def handle(self, *args, action, **options):
        self.verbosity = options["verbosity"]
        getattr(self, "do_" + action.replace("-", "_"))(**options)

    def _bar(self, **kwargs):
        return progress_bar(self, self.verbosity, unit_scale=True, **kwargs)

    def do_import_companies(self, *, paths, month=None, max_bad_share, force, **options):
        if not 0 <= max_bad_share <= 1:
            raise CommandError("--max-bad-share must be between 0 and 1.")
        started = time.perf_counter()
        stage = self._stage_printer(started)
        bars = {}

        def progress(step, done, total):
            if step not in bars:
                bars[step] = self._bar(unit="B", unit_divisor=1024, desc=step, total=total)
            bars[step].update(done - bars[step].n)

        try:
            result = companies_import(
                paths,
                month=parse_month(month) if month else None,
                max_bad_share=max_bad_share,
                force=force,
                progress=progress,
                stage=stage,
            )
        except ImportFailed as error:
            raise CommandError(f"Import failed, previous data kept. {error}") from error
        finally:
            for bar in bars.values():
                bar.close()
        snapshot = result.snapshot
        verb = "Unchanged (same data already imported)" if result.unchanged else "Imported"
        self.stdout.write(
            f"{verb}: {snapshot}: {result.rows:,} rows, {result.bad_rows:,} bad, "
            f"{result.located:,} located by postcode."
        )
        if result.bad_rows:
            for line in result.bad_examples:
                self.stdout.write(f"  {line}")
            self.stdout.write(f"All bad rows: {result.report}")
        with self._bar(desc="figures", unit="area") as bar:
            done = figures_refresh(progress=bar.update)
        self.stdout.write(
            f"Figures refreshed for {done} area and definition pairs "
            f"({time.perf_counter() - started:.1f} s in all)."
        )

    def do_import_postcodes(self, *, path, max_bad_share, force, **options):
        if not 0 <= max_bad_share <= 1:
            raise CommandError("--max-bad-share must be between 0 and 1.")
        stage = self._stage_printer(time.perf_counter())
        try:
            result = postcodes_import(path, max_bad_share=max_bad_share, force=force, stage=stage)
        except PostcodeImportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Postcode lookup now uses {Path(path).name}: {result.postcodes:,} postcodes "
            f"({result.rows:,} rows, {result.bad_rows:,} bad, {result.without_code:,} without "
            "a local authority code)."
        )
        for line in result.bad_examples:
            self.stdout.write(f"  {line}")
        stage("Locating the stored snapshots' postcodes with the new lookup")
        if relocated := snapshots_relocate():
            with self._bar(desc="figures", unit="area") as bar:
                done = figures_refresh(progress=bar.update)
            self.stdout.write(
                f"Postcodes of {relocated} snapshot{'s' if relocated > 1 else ''} located again; "
                f"figures refreshed for {done} area and definition pairs."
            )

    def _stage_printer(self, started):
        """Print a stage of a long job, with the seconds since it started."""

        def stage(text):
            tqdm.write(f"{time.perf_counter() - started:6.1f} s  {text}…", file=self.stdout._out)

        return stage

    def do_refresh(self, **options):
        with self._bar(desc="figures", unit="area") as bar:
            done = figures_refresh(progress=bar.update)
        self.stdout.write(f"Figures refreshed for {done} area and definition pairs.")

    def do_generate_companies(self, *, directory, rows, month, packaging, parts, seed, start, **o):
        if rows < 1 or parts < 1:
            raise CommandError("--rows and --parts must be at least 1.")
        when = parse_month(month) if month else datetime.date.today().replace(day=1)
        try:
            with self._bar(total=rows, unit="row", desc="generate") as bar:
                paths = companies_generate(
                    directory,
                    rows,
                    month=when,
                    packaging=packaging,
                    parts=parts,
                    seed=seed,
                    start=start,
                    progress=bar.update,
                )
        except OSError as error:  # a file where the folder should be, no room, no rights
            raise CommandError(f"Could not write into {directory}: {error.strerror}.") from error
        for path in paths:
            self.stdout.write(str(path))


def _max_bad_share(parser):
    parser.add_argument(
        "--max-bad-share",
        type=float,
        default=DEFAULT_MAX_BAD_SHARE,
        help=f"Refuse the file if more than this share of rows is bad "
        f"(default {DEFAULT_MAX_BAD_SHARE}).",
    )
