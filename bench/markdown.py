"""The benchmark's results as Markdown tables (``docs/benchmarks.md``), and the machine they ran on."""

import os
import platform
import shutil
import subprocess

import django
from django.db import connection

BAR_DATA, BAR_END_TO_END, BAR_MEMORY_MB, BAR_API_P95_MS = 1.5, 2.0, 200, 50
BAR_COMPARED = 2.2  # a report compared with the previous period: its data step ÷ the plain one's


def machine():
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "unknown"
    )
    with open("/proc/meminfo") as meminfo:
        memory_gb = int(meminfo.readline().split()[1]) / 2**20
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgresql = cursor.fetchone()[0]
    wrk = shutil.which("wrk")
    if wrk:
        wrk = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.split(" [")[0].strip()
    return {
        "cpu": f"{os.cpu_count()} × {cpu}",
        "memory": f"{memory_gb:.0f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgresql,
        "wrk": wrk or "not installed",
    }


def _ms(seconds):
    return f"{seconds * 1000:,.0f}" if seconds >= 0.01 else f"{seconds * 1000:.1f}"


def _check(ok):
    return "yes" if ok else "**no**"


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _size_line(name, load):
    counts = load["counts"]
    return (
        f"{name}: {counts['patients']:,} patients, {counts['medical visits']:,} medical visits, "
        f"{counts['dental visits']:,} dental visits, {counts['feedback']:,} feedback, {counts['campaigns']:,} "
        f"campaigns with {counts['campaign participants']:,} participants; loaded in {load['total']} s"
    )


def _reports_section(name, figures):
    rows = []
    for row in figures["reports"]:
        formats = row["formats"]
        rows.append(
            [
                row["report_type"],
                row["range"],
                f"{row['record_count']:,}",
                _ms(row["bare_seconds"]),
                _ms(row["data_seconds"]),
                f"{row['ratio']:.2f}",
                *(f"{_ms(formats[f]['seconds'])} ({formats[f]['ratio']:.2f})" for f in ("JSON", "CSV")),
                *(_ms(formats[f]["seconds"]) for f in ("PDF", "EXCEL")),
                f"{max(m['peak_mb'] for m in formats.values()):.0f}",
                "yes" if not row["disagree"] else f"**differs: {row['disagree']}**",
            ]
        )
    header = [
        "report",
        "range",
        "records",
        "bare SQL ms",
        "data step ms",
        "data ÷ bare",
        "JSON ms (÷ bare)",
        "CSV ms (÷ bare)",
        "PDF ms",
        "Excel ms",
        "peak MB",
        "same figures",
    ]
    return f"### Size {name}\n\n{_size_line(name, figures['load'])}.\n\n" + _table(header, rows)


def _bars(results):
    lines = []
    for name, figures in results["sizes"].items():
        if "reports" not in figures:
            continue
        rows = figures["reports"]
        worst_data = max(rows, key=lambda row: row["ratio"])
        worst_e2e = max(
            ((row, f) for row in rows for f in ("JSON", "CSV")), key=lambda pair: pair[0]["formats"][pair[1]]["ratio"]
        )
        peak = max(m["peak_mb"] for row in rows for m in row["formats"].values())
        e2e_ratio = worst_e2e[0]["formats"][worst_e2e[1]]["ratio"]
        worst = max((row for row in rows if "compared" in row), key=lambda row: row["compared"]["ratio"])
        lines.append(
            [
                name,
                f"{worst_data['ratio']:.2f} ({worst_data['report_type']}, {worst_data['range']})",
                _check(worst_data["ratio"] <= BAR_DATA),
                f"{e2e_ratio:.2f} ({worst_e2e[0]['report_type']} {worst_e2e[1]}, {worst_e2e[0]['range']})",
                _check(e2e_ratio <= BAR_END_TO_END),
                f"{peak:.0f}",
                _check(peak < BAR_MEMORY_MB),
                f"{worst['compared']['ratio']:.2f} ({worst['report_type']}, {worst['range']})",
                _check(worst["compared"]["ratio"] <= BAR_COMPARED),
            ]
        )
    header = [
        "size",
        "worst data ÷ bare",
        "≤ 1.5",
        "worst JSON/CSV ÷ bare",
        "≤ 2",
        "worst peak MB",
        "< 200",
        "worst compared ÷ plain",
        "≤ 2.2",
    ]
    return _table(header, lines)


def _queries(results):
    sizes = [name for name, figures in results["sizes"].items() if "reports" in figures]
    keyed = {
        name: {(row["report_type"], row["range"]): row for row in results["sizes"][name]["reports"]} for name in sizes
    }
    rows = []
    for key in keyed[sizes[0]] if sizes else ():
        data = [keyed[name][key]["data_queries"] for name in sizes]
        task = [keyed[name][key]["formats"]["JSON"]["queries"] for name in sizes]
        rows.append(
            [
                *key,
                " / ".join(map(str, data)),
                " / ".join(map(str, task)),
                keyed[sizes[0]][key]["bare_queries"],
                _check(len(set(data)) == 1),
            ]
        )
    header = ["report", "range", f"data step ({' / '.join(sizes)})", f"whole task, JSON ({' / '.join(sizes)})"]
    return _table([*header, "bare SQL", "data step constant"], rows)


def _compared(results):
    rows = []
    for name, figures in results["sizes"].items():
        for row in figures.get("reports", []):
            if "compared" not in row:
                continue
            pair = row["compared"]
            rows.append(
                [
                    name,
                    row["report_type"],
                    row["range"],
                    _ms(pair["plain_seconds"]),
                    _ms(pair["compared_seconds"]),
                    f"{pair['ratio']:.2f}",
                    _check(pair["ratio"] <= BAR_COMPARED),
                    f"{pair['plain_queries']} / {pair['compared_queries']}",
                    _check(pair["compared_queries"] <= 2 * pair["plain_queries"]),
                ]
            )
    header = ["size", "report", "range", "plain ms", "compared ms", "compared ÷ plain", "≤ 2.2", "queries", "≤ 2×"]
    return _table(header, rows)


def _cache(results):
    rows = []
    for name, figures in results["sizes"].items():
        for row in figures.get("reports", []):
            cache = row["cache"]
            rows.append(
                [
                    name,
                    row["report_type"],
                    row["range"],
                    _ms(cache["cold_seconds"]),
                    _ms(cache["warm_seconds"]),
                ]
            )
    return _table(["size", "report", "range", "cold ms", "warm ms (from the cache)"], rows)


def _api(api):
    rows = [
        [
            row["endpoint"],
            row["role"],
            f"{row['p50_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
            _check(row["p95_ms"] <= BAR_API_P95_MS),
            row["queries"],
        ]
        for row in api["rows"]
    ]
    return _table(["endpoint", "caller", "p50 ms", "p95 ms", "≤ 50 ms", "queries"], rows)


def _authenticated_share(load):
    results = load["results"]
    return (
        results["constant JSON, token authenticated"]["requests_per_second"]
        / results["constant JSON view"]["requests_per_second"]
    )


def _load(load):
    rows = [
        [name, f"{figures['requests_per_second']:,.0f}", f"{figures['p99_ms']:.1f}", figures["non_2xx"]]
        for name, figures in load["results"].items()
    ]
    return _table(["URL", "requests/s", "p99 ms", "non-2xx"], rows)


def _workers(workers):
    rows = [
        [row["workers"], f"{row['seconds']:.1f}", f"{row['reports_per_minute']:.0f}", f"{row['speedup']:.2f}"]
        for row in workers["rows"]
    ]
    return _table(["db_worker processes", "seconds for 100 reports", "reports/min", "speed-up"], rows)


def _startup(startup):
    text = (
        f"`manage.py check` in a fresh process (what every web, worker and migrate process pays before its "
        f"first request or task), {startup['runs']} times per checkout, the checkouts in turn; the median, and "
        "which of the rendering packages the process imported.\n\n"
    )
    rows = [
        [name, f"{figure['median']:.3f}", ", ".join(figure["rendering"]) or "neither"]
        for name, figure in startup["checkouts"].items()
    ]
    table = _table(["checkout", "median seconds", "imports reportlab / xlsxwriter"], rows)
    if startup["ratio"]:
        table += f"\nThis checkout ÷ {startup['against']}: **{startup['ratio']:.2f}**.\n"
    return text + table


def render(results):
    machine = results["machine"]
    parts = [
        "# Benchmarks\n",
        "Measured by `bench/` (see the README's *Performance* section). Every figure below was measured in one "
        "run of the command shown, on the machine shown; rerun it to refresh this page.\n",
        f"- Command: `{results['command']}`\n- Date: {results['started']} (the run took {results['seconds']} s)\n"
        + "".join(f"- {key.capitalize()}: {value}\n" for key, value in machine.items()),
        "How to read it: *bare SQL* is the hand-written lower bound (`bench/bare_sql.py`: the fewest aggregate "
        "queries a DBA would write for the same figures, run straight through the connection, no filters); the "
        "*data step* is the report module's `build` (the same figures, through the ORM, the cache bypassed); both "
        "are the fastest of several warm runs in the same process, one after the other (the fastest run is the "
        "least disturbed by anything else on the machine; the medians are in the JSON results). "
        "*JSON/CSV/PDF/Excel ms* is the whole task (`generating.run_report`: claim, data, render, store, complete) "
        "in a fresh process with an empty cache, the faster of two such processes, and *peak MB* their larger "
        "peak resident memory (`VmHWM`, Python and Django included). "
        "*Same figures* checks the bound's summary figures against the report's.\n",
        *(f"- Note: {note}\n" for note in results.get("notes", ())),
    ]
    if any("reports" in figures for figures in results["sizes"].values()):
        parts += [
            "## The bar\n",
            _bars(results),
            "\n## Reports against the bare-SQL lower bound\n",
            *(_reports_section(n, f) + "\n" for n, f in results["sizes"].items() if "reports" in f),
            "## Query counts across sizes\n",
            "The data step's queries do not depend on the data's size. The whole task's add the claim, the "
            "completion and the run's progress writes, at most one each half second "
            "(`generating.PROGRESS_SECONDS`), so a longer run writes a few more.\n",
            _queries(results),
            "\n## Compared with the previous period\n",
            "The data step (`generating.build_document`, the cache bypassed, the fastest of several warm runs) of "
            "each report plain and compared with the previous period (`compare_to`), one after the other, and "
            "their query counts.\n\n",
            _compared(results),
            "\n## Report data cache: cold and warm\n",
            "`generating.build_document` with an empty cache, then again: the second is served from the cache "
            "(one query reads the data versions).\n\n",
            _cache(results),
        ]
    if "api" in results:
        parts += [
            f"\n## API at {results['api']['reports']:,} generated reports\n",
            f"{results['api']['requests']} sequential requests per row through Django's whole stack in-process "
            "(token authentication, middleware, DRF); the doctor owns 1 in 20 reports, the admin sees all. "
            "*Dashboard (cold)* clears the cache before every request.\n\n",
            _api(results["api"]),
        ]
    if "load" in results:
        load = results["load"]
        parts += [
            "\n## Status endpoint under concurrent load\n",
            f"gunicorn as in the `Procfile` (`uscpis/gunicorn.conf.py`, {load['web_concurrency']} workers), bound "
            f"to 127.0.0.1; `wrk -t{load['threads']} -c{load['connections']} -d{load['duration_seconds']}s` on the "
            "same 2 cores. The constant view returns a fixed JSON through the same middleware without touching "
            "the database; the token-authenticated one returns it through DRF after the API's token lookup. "
            f"Status endpoint: **{load['share_of_ceiling']:.0%} of the constant view's ceiling** (the aim: half). "
            f"Token authentication through DRF holds a constant view to {_authenticated_share(load):.0%} of it: "
            "see the README's *Status endpoint and authentication* for why credentials are not cached.\n\n",
            _load(load),
        ]
    if "workers" in results:
        parts += [
            "\n## Workers draining the queue (size M)\n",
            "100 reports (every type and format, each over a different one-year range) requested at once "
            "into the database queue, idle `db_worker` processes already started; time until the last one "
            f"finished. The workers and PostgreSQL share this machine's {results['machine']['cpu'].split(' ×')[0]} "
            "cores: throughput grows until they are all busy, and beyond that it takes more machines (workers "
            "elsewhere, sharing the database or Redis queue).\n\n",
            _workers(results["workers"]),
        ]
    if "startup" in results:
        parts += ["\n## Process start\n", _startup(results["startup"])]
    loads = [[name, f"{figures['load']['total']}"] for name, figures in results["sizes"].items()]
    header = ["size", "seconds (COPY, CLUSTER in time order, VACUUM ANALYZE)"]
    parts += ["\n## Loading the synthetic data\n", _table(header, loads)]
    return "\n".join(parts)
