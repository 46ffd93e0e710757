"""Insights benchmark: Companies House import and figures at 5.5 million rows.

Compares, in the same run and on the same file, a bare Polars scan-filter-count with the
whole insights job (`frontdoor insights import-companies`: unzip check, parse, check rows,
classify SIC codes, locate postcodes, store the snapshot, compute and cache every area's
figures), each in its own process so its peak memory (max RSS) is its own.

    .venv/bin/python bench/insights/run.py --rows 5500000 [--repeat 5]

Big files go under --workdir (default /tmp/frontdoor-bench-insights) and are deleted at
the end unless --keep. Needs about 3 GB free there for 5.5 million rows.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
FRONTDOOR = str(ROOT / ".venv" / "bin" / "frontdoor")
CPU = []
BARE = """
import sys, polars as pl
n = (pl.scan_csv(sys.argv[1], infer_schema=False)
     .filter(pl.col("SICCode.SicText_1").str.starts_with("62"))
     .select(pl.len()).collect().item())
print(n)
"""


def timed(args, env):
    """Run a command; return (seconds, peak RSS in MB, stdout); CPU seconds in CPU[-1]."""
    start = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    CPU.append(usage.ru_utime + usage.ru_stime)
    out = process.stdout.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(args)}\n{out}")
    return seconds, usage.ru_maxrss / 1024, out


def fresh_data_dir(work, env):
    """An empty installation, so each round's import is a first import."""
    shutil.rmtree(work / "var", ignore_errors=True)
    subprocess.run([FRONTDOOR, "migrate", "-v0"], env=env, check=True)
    # The postcode lookup is built once per installation, not per import: warm it.
    subprocess.run(
        [
            PYTHON,
            "-c",
            "import django; django.setup(); from frontdoor.insights.geography "
            "import postcode_table; postcode_table()",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "frontdoor.settings"},
        check=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5_500_000)
    parser.add_argument("--workdir", default="/tmp/frontdoor-bench-insights")
    parser.add_argument("--keep", action="store_true", help="Keep the generated file.")
    parser.add_argument(
        "--repeat", type=int, default=1, help="Rounds (bare, insights, bare); the host is noisy."
    )
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(work).free / 1e9
    need = args.rows * 520 / 1e9 + 0.5
    if free < need:
        sys.exit(f"{work} has {free:.1f} GB free; {need:.1f} GB needed.")
    env = {**os.environ, "FRONTDOOR_DATA_DIR": str(work / "var"), "FRONTDOOR_LOG_LEVEL": "ERROR"}
    env.pop("DATABASE_URL", None)
    try:
        csv = work / "BasicCompanyDataAsOneFile-2025-11-01.csv"
        if not csv.exists():
            seconds, _, _ = timed(
                [
                    FRONTDOOR,
                    "insights",
                    "generate-companies",
                    str(work),
                    "--rows",
                    str(args.rows),
                    "--month",
                    "2025-11",
                    "--seed",
                    "11",
                ],
                env,
            )
            print(f"generated {args.rows:,} rows in {seconds:.1f} s")
        size = csv.stat().st_size / 1e9
        # Untimed: brings the file into the page cache, so no job pays for the disk.
        timed([PYTHON, "-c", BARE, str(csv)], env)
        ratios = []
        for round_ in range(1, args.repeat + 1):
            fresh_data_dir(work, env)
            bare1, bare_mb, count = timed([PYTHON, "-c", BARE, str(csv)], env)
            cpu_bare1 = CPU[-1]
            full, full_mb, out = timed([FRONTDOOR, "insights", "import-companies", str(csv)], env)
            cpu_full = CPU[-1]
            bare2, _, _ = timed([PYTHON, "-c", BARE, str(csv)], env)
            cpu_bare = (cpu_bare1 + CPU[-1]) / 2
            bare = (bare1 + bare2) / 2
            ratios.append((full / bare, full / min(bare1, bare2)))
            if round_ == 1:
                print(out.strip())
                print(
                    f"file: {args.rows:,} rows, {size:.2f} GB; bare count of 62xxx: {count.strip()}"
                )
            print(f"round {round_} of {args.repeat}:")
            print(
                f"bare Polars scan-filter-count: {bare1:.2f} s and {bare2:.2f} s "
                f"(peak {bare_mb:,.0f} MB)"
            )
            print(f"insights end to end: {full:.2f} s (peak {full_mb:,.0f} MB)")
            print(
                f"ratio: {full / bare:.2f} x the bare job's mean, {full / min(bare1, bare2):.2f} x "
                "its faster run (target: at most 3)"
            )
            print(
                f"CPU time (user + system): bare {cpu_bare:.1f} s, insights {cpu_full:.1f} s, "
                f"ratio {cpu_full / cpu_bare:.2f}"
            )
            print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        if args.repeat > 1:
            to_mean, to_faster = zip(*ratios, strict=True)
            print(
                f"median of {args.repeat} rounds: {statistics.median(to_mean):.2f} x the bare "
                f"job's mean, {statistics.median(to_faster):.2f} x its faster run"
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
