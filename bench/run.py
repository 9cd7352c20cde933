"""The benchmark: ``python -m bench.run [--sizes S,M,L] [--parts reports,api,load,workers]``.

Needs a PostgreSQL database of its own in ``DATABASE_URL`` (its clinic data is replaced)
and ``wrk`` for the load part. Prints each figure as it is measured, saves them all to
``--results`` (JSON) and writes the Markdown tables to ``--output``.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

PARTS = ("reports", "api", "load", "workers", "startup")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L", help="comma separated, of XS, S, M, L (default S,M,L)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma separated, of {', '.join(PARTS)}")
    parser.add_argument("--workers-size", default="M", help="the size the workers part runs at (default M)")
    parser.add_argument("--report-types", default="", help="comma separated report types (default: all)")
    parser.add_argument("--repeat", type=int, default=5, help="warm timed runs per measurement (default 5)")
    parser.add_argument("--results", default="bench/results.json", help="where to save the raw figures (JSON)")
    parser.add_argument("--output", default="docs/benchmarks.md", help="the Markdown report to write")
    parser.add_argument("--command", default="make bench", help="the command named in the report")
    parser.add_argument("--startup-against", default="", help="a git commit whose process start to measure beside")
    args = parser.parse_args(argv)
    from bench.generate import SIZES

    args.sizes = [size.strip().upper() for size in args.sizes.split(",") if size.strip()]
    args.workers_size = args.workers_size.strip().upper()
    args.parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    from reports.catalog import REPORT_TYPES

    args.report_types = [name.strip().upper() for name in args.report_types.split(",") if name.strip()]
    args.report_types = args.report_types or list(REPORT_TYPES)
    unknown = [size for size in [*args.sizes, args.workers_size] if size not in SIZES]
    unknown += [name for name in args.report_types if name not in REPORT_TYPES]
    unknown += [part for part in args.parts if part not in PARTS]
    if unknown:
        parser.error(f"unknown size, part or report type: {', '.join(unknown)}")
    return args


def log(message):
    print(message, flush=True)


def ensure_database(url):
    """Create the benchmark's database on its server if it does not exist yet."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL to a database of its own (its data is replaced).")
    ensure_database(os.environ["DATABASE_URL"])
    media = tempfile.mkdtemp(prefix="uscpis-bench-")
    os.environ["MEDIA_ROOT"] = media  # report files of the run, removed at its end
    import django

    django.setup()
    args = parse_args(argv)
    try:
        run(args)
    finally:
        shutil.rmtree(media, ignore_errors=True)


def run(args):
    from django.core.management import call_command

    from bench import api, generate, load, markdown, reports, startup, workers

    call_command("migrate", verbosity=0)
    results = {
        "machine": markdown.machine(),
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "sizes": {},
    }
    results["command"] = args.command
    began = time.monotonic()
    sizes = list(dict.fromkeys([*args.sizes, *([args.workers_size] if "workers" in args.parts else [])]))
    for size in sizes:
        if size not in args.sizes:
            log(f"== Size {size} (for the workers part only) ==")
        else:
            log(f"== Size {size} ==")
        figures = results["sizes"].setdefault(size, {})
        figures["load"] = generate.load(size, log=log)
        log(f"  loaded in {figures['load']['total']}s")
        if size in args.sizes and "reports" in args.parts:
            figures["reports"] = reports.run(args.report_types, repeat=args.repeat, log=log)
        if size == args.workers_size and "workers" in args.parts:
            results["workers"] = workers.run(log=log)
    if "api" in args.parts:
        log("== API at 10,000 generated reports ==")
        results["api"] = api.run(log=log)
    if "load" in args.parts:
        log("== Status endpoint under load (gunicorn, wrk) ==")
        results["load"] = load.run(log=log)
    if "startup" in args.parts:
        log("== Process start (manage.py check in fresh processes) ==")
        results["startup"] = startup.run(args.startup_against or None, log=log)
    results["seconds"] = round(time.monotonic() - began)
    Path(args.results).write_text(json.dumps(results, indent=1, default=str))
    Path(args.output).write_text(markdown.render(results))
    log(f"Done in {results['seconds']}s: {args.output}, {args.results}")


if __name__ == "__main__":
    main()
