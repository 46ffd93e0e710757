"""Instructions per row of the insights import's parse stage, counted by valgrind.

Time on this shared host varies by a fifth between identical runs, so a change worth 2 % of
the parse cannot be seen in `run.py`. The number of instructions executed repeats to within
half a per cent. This counts them (valgrind's callgrind) for the parse stage (parse, check,
classify, store the Parquet snapshot: `companies._frame` into `companies._sink`) and for the
bare Polars scan-filter-count of `run.py`, each less the same process's start-up.

    .venv/bin/python bench/insights/instructions.py [--rows 100000]

Valgrind hides the processor's SHA instructions, so the snapshot's SHA-256 counts several
times its real weight here (about a tenth of the parse, against a fiftieth in time): compare
like with like. About a minute per 100,000 rows; the runs go two at a time.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
FRONTDOOR = str(ROOT / ".venv" / "bin" / "frontdoor")
SETUP = """
import datetime, sys, django
django.setup()
import polars as pl
from frontdoor.insights import companies
path = sys.argv[1]
"""
JOBS = {
    "start-up": SETUP,
    "parse stage": SETUP
    + """
frame = companies._frame(path, 0, datetime.date(2025, 11, 1))
companies._sink(frame, sys.argv[2], 1, None)
""",
    "bare Polars": SETUP
    + """
(pl.scan_csv(path, infer_schema=False)
   .filter(pl.col("SICCode.SicText_1").str.starts_with("62"))
   .select(pl.len()).collect())
""",
}


def instructions(code, csv, work, env):
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        + [PYTHON, "-c", code, str(csv), str(work / "snapshot.parquet")],
        env=env,
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or not found:
        sys.exit(f"valgrind failed:\n{result.stderr[-2000:]}")
    return int(found[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed (Debian: apt install valgrind).")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "frontdoor.settings",
            "FRONTDOOR_DATA_DIR": str(work / "var"),
            "FRONTDOOR_LOG_LEVEL": "ERROR",
        }
        env.pop("DATABASE_URL", None)
        subprocess.run(
            [FRONTDOOR, "insights", "generate-companies", str(work), "--rows", str(args.rows)]
            + ["--month", "2025-11", "--seed", "11"],
            env=env,
            check=True,
            capture_output=True,
        )
        csv = next(work.glob("*.csv"))
        with ThreadPoolExecutor(2) as pool:
            counts = dict(
                zip(
                    JOBS,
                    pool.map(lambda code: instructions(code, csv, work, env), JOBS.values()),
                    strict=True,
                )
            )
    start = counts.pop("start-up")
    per_row = {job: (n - start) / args.rows for job, n in counts.items()}
    for job, n in per_row.items():
        print(f"{job}: {n:,.0f} instructions per row")
    print(f"ratio: {per_row['parse stage'] / per_row['bare Polars']:.2f}")


if __name__ == "__main__":
    main()
