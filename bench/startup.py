"""Process start time: ``python -m bench.startup [--against REF] [--runs N]``.

Times ``manage.py check`` in fresh processes (what every web, worker and migrate
process pays before its first request or task), here and, with ``--against``, in a
checkout of another commit measured in the same run, turn about, so both see the
same machine. Prints the median of each, their ratio, and whether the process
imported the rendering stack (reportlab, xlsxwriter).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
RENDERING = ("reportlab", "xlsxwriter")
ENVIRONMENT = {"SECRET_KEY": "bench-only-not-a-secret", "DEBUG": "0", "DATABASE_URL": "sqlite:///:memory:"}


def timed_check(checkout):
    """Seconds of one ``manage.py check`` in a fresh process in ``checkout``."""
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=checkout,
        env={**os.environ, **ENVIRONMENT},
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - began


def rendering_imported(checkout):
    """Which of the rendering packages ``manage.py check`` imports in ``checkout``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "manage.py", "check"],
        cwd=checkout,
        env={**os.environ, **ENVIRONMENT},
        check=True,
        capture_output=True,
        text=True,
    )
    modules = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    return [name for name in RENDERING if name in modules]


def measure(checkouts, runs):
    """``{name: [seconds, ...]}``, the checkouts measured in turn ``runs`` times after a warm-up each."""
    for checkout in checkouts.values():
        timed_check(checkout)
    seconds = {name: [] for name in checkouts}
    for _ in range(runs):
        for name, checkout in checkouts.items():
            seconds[name].append(timed_check(checkout))
    return seconds


def run(against=None, runs=11, log=print):
    """``{"runs", "against", "checkouts": {name: {"median", "seconds", "rendering"}}, "ratio"}``."""
    with tempfile.TemporaryDirectory() as scratch:
        checkouts = {"this checkout": HERE}
        if against:
            other = Path(scratch) / "other"
            subprocess.run(["git", "worktree", "add", "--quiet", "--detach", str(other), against], cwd=HERE, check=True)
            checkouts = {against: other, **checkouts}
        try:
            seconds = measure(checkouts, runs)
            figures = {
                name: {
                    "median": statistics.median(seconds[name]),
                    "seconds": seconds[name],
                    "rendering": rendering_imported(checkout),
                }
                for name, checkout in checkouts.items()
            }
        finally:
            if against:
                subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=HERE, check=True)
    for name, figure in figures.items():
        imported = ", ".join(figure["rendering"]) or "neither"
        log(f"  {name}: median {figure['median']:.3f} s of {runs} runs; imports {imported}")
    ratio = figures["this checkout"]["median"] / figures[against]["median"] if against else None
    if ratio:
        log(f"  ratio this checkout / {against}: {ratio:.2f}")
    return {"runs": runs, "against": against, "checkouts": figures, "ratio": ratio}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="a git commit to measure beside this checkout")
    parser.add_argument("--runs", type=int, default=11, help="timed runs of each checkout (default 11)")
    args = parser.parse_args(argv)
    run(args.against, args.runs)


if __name__ == "__main__":
    main()
