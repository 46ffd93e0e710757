"""Search benchmark: index build time, then p50/p95/p99 of mixed queries through search(),
of searches ordered by name or near a postcode, of the search page over HTTP, and of a plain
SQLite FTS5 bm25 query on the same rows.

Run against a database of generated organisations (see docs/performance.md):

    FRONTDOOR_DATA_DIR=/tmp/search1m .venv/bin/python bench/search/bench.py --rebuild --http

Every query returns the top 20 and the facet counts; half carry a facet filter. Timing is
wall-clock on a warm process; the first pass over the queries warms caches and is not counted.
"""

import argparse
import http.client
import os
import random
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from frontdoor.directory.generate import POSTCODE_AREAS, SUFFIXES, WORDS  # noqa: E402
from frontdoor.directory.models import Organisation, Sector  # noqa: E402
from frontdoor.search.backend import search_index  # noqa: E402
from frontdoor.search.forms import WITHIN  # noqa: E402
from frontdoor.search.query import Params, search  # noqa: E402

COMMON = [w.lower() for w in WORDS + SUFFIXES] + ["data", "robotics", "fintech", "health"]
RARE = ["kestrl", "quantom", "meridan", "lattise", "zebra", "blockchain", "aerospace", "nimbu"]


def make_queries(n, seed, max_number):
    """1 to 3 words: common words, rare or misspelt words, record numbers; half filtered."""
    rng = random.Random(seed)
    sectors = list(Sector.objects.values_list("slug", flat=True))
    kinds = list(Organisation.Kind.values)
    queries = []
    for i in range(n):
        words = []
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            pick = rng.random()
            if pick < 0.7:
                words.append(rng.choice(COMMON))
            elif pick < 0.9:
                words.append(rng.choice(RARE))
            else:
                words.append(str(rng.randint(1, max_number)))
        params = {"q": " ".join(words)}
        if i % 2:
            facet = rng.choice(["sector", "subkind", "type"])
            params[facet] = {
                "sector": rng.choice(sectors),
                "subkind": rng.choice(kinds),
                "type": "organisation",
            }[facet]
        queries.append(params)
    return queries


# Postcodes in the generated areas, for searches near a point.
NEAR = ["MK9 3HS", "MK3 6EB", "B2 4QA", "M1 1AD"]


def make_ordered_queries(n, seed):
    """Searches ordered by name, or near a postcode (within a distance, or by distance)."""
    rng = random.Random(seed)
    queries = []
    for i in range(n):
        params = {"q": rng.choice(COMMON + [""])}
        if i % 3 == 0:
            params["sort"] = "name"
        elif i % 3 == 1:
            params.update(near=rng.choice(NEAR), within=rng.choice(WITHIN))
        else:
            params.update(near=rng.choice(NEAR), sort="distance")
        queries.append(params)
    return queries


def percentiles(samples):
    ms = sorted(s * 1000 for s in samples)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": ms[-1]}


def show(label, figures):
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(
        f"{label:<34} "
        + "  ".join(f"{k} {v:8.2f} ms" for k, v in figures.items())
        + f"  (load {load})"
    )


def to_params(q):
    return Params(**{k: ([v] if k in ("sector", "subkind", "type") else v) for k, v in q.items()})


def time_search(queries):
    for q in queries:  # warm-up pass: caches, postings pages, the freshness check
        search(to_params(q))
    samples = []
    for q in queries:
        started = time.perf_counter()
        search(to_params(q))
        samples.append(time.perf_counter() - started)
    return samples


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_http(queries):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "frontdoor.cli", "serve", "--port", str(port), "--threads", "4"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def get(q):
            conn.request("GET", "/search/?" + urllib.parse.urlencode(q))
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status

        for q in queries:
            get(q)
        samples = []
        for q in queries:
            started = time.perf_counter()
            get(q)
            samples.append(time.perf_counter() - started)
        return samples
    finally:
        server.terminate()
        server.wait(timeout=30)


def time_fts5(queries):
    """The same rows in an FTS5 table (name, sector names, summary), ranked by bm25."""
    db_path = settings.DATABASES["default"]["NAME"]
    with tempfile.TemporaryDirectory() as tmp:
        fts = sqlite3.connect(Path(tmp) / "fts.sqlite3")
        fts.execute("ATTACH DATABASE ? AS src", (f"file:{db_path}?mode=ro",))
        started = time.perf_counter()
        fts.execute("CREATE VIRTUAL TABLE fts USING fts5(name, tags, summary)")
        fts.execute(
            """INSERT INTO fts (rowid, name, tags, summary)
               SELECT o.id, o.name, COALESCE(GROUP_CONCAT(s.name, ' '), ''), o.summary
               FROM src.directory_organisation o
               LEFT JOIN src.directory_organisation_sectors l ON l.organisation_id = o.id
               LEFT JOIN src.directory_sector s ON s.id = l.sector_id
               WHERE o.state = 'published' GROUP BY o.id"""
        )
        fts.commit()
        build = time.perf_counter() - started
        sql = (
            "SELECT rowid, bm25(fts, 4.0, 2.0, 1.5) AS rank FROM fts WHERE fts MATCH ?"
            " ORDER BY rank LIMIT 20"
        )

        def match(q):
            return " ".join(f'"{w}"' for w in q["q"].split())

        for q in queries:
            fts.execute(sql, (match(q),)).fetchall()
        samples = []
        for q in queries:
            started = time.perf_counter()
            fts.execute(sql, (match(q),)).fetchall()
            samples.append(time.perf_counter() - started)
        fts.close()
    return build, samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="time `frontdoor search rebuild`")
    parser.add_argument("--http", action="store_true", help="also time the page over HTTP")
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    organisations = Organisation.objects.count()
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"{organisations:,} organisations in {connection.vendor}; cores: {os.cpu_count()}")
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')}, load average {load} (1, 5, 15 min)")
    if args.rebuild:
        # In its own process, as `frontdoor search rebuild` runs: a server does not build the
        # index in the process that answers searches, and the build's leftovers (caches, a
        # large heap) would otherwise be timed along with them.
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "frontdoor.cli", "search", "rebuild"],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(
            f"index build: {search_index().ready().num_docs:,} documents in"
            f" {time.perf_counter() - started:.1f} s ({used.ru_utime + used.ru_stime:.1f} CPU-s,"
            f" writer threads included; peak memory {used.ru_maxrss / 1024:.0f} MB)"
        )
    search_index().ready()
    queries = make_queries(args.queries, args.seed, max_number=max(organisations, 1))
    ours = percentiles(time_search(queries))
    show(f"search() x{len(queries)}, top 20 + facets", ours)
    ordered = make_ordered_queries(args.queries // 4, args.seed)
    show(f"by name / near x{len(ordered)}", percentiles(time_search(ordered)))
    if args.http:
        show("GET /search/ over HTTP", percentiles(time_http(queries)))
    build, fts_samples = time_fts5(queries)
    fts = percentiles(fts_samples)
    print(f"FTS5 table built in {build:.1f} s")
    show("SQLite FTS5 bm25, top 20 only", fts)
    print(f"p95 ratio FTS5 / search(): {fts['p95'] / ours['p95']:.1f}x")
    print("postcode areas in the generated data:", ", ".join(POSTCODE_AREAS))


if __name__ == "__main__":
    main()
