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


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="a git commit to measure beside this checkout")
    parser.add_argument("--runs", type=int, default=11, help="timed runs of each checkout (default 11)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        checkouts = {"this checkout": HERE}
        if args.against:
            other = Path(scratch) / "other"
            subprocess.run(["git", "worktree", "add", "--detach", str(other), args.against], cwd=HERE, check=True)
            checkouts = {args.against: other, **checkouts}
        try:
            seconds = measure(checkouts, args.runs)
            medians = {name: statistics.median(values) for name, values in seconds.items()}
            for name, checkout in checkouts.items():
                imported = ", ".join(rendering_imported(checkout)) or "neither"
                print(f"{name}: median {medians[name]:.3f} s of {args.runs} runs; imports {imported}")
            if args.against:
                ratio = medians["this checkout"] / medians[args.against]
                print(f"ratio this checkout / {args.against}: {ratio:.2f}")
        finally:
            if args.against:
                subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=HERE, check=True)


if __name__ == "__main__":
    main()
