"""A web, worker or migrate process starts without the rendering stack: only the worker and downloads need it."""

from bench import startup
from tests.system import ROOT


def test_a_fresh_process_imports_neither_reportlab_nor_xlsxwriter():
    assert startup.rendering_imported(ROOT) == []


def test_the_startup_benchmark_times_this_checkout():
    figures = startup.run(runs=1, log=lambda line: None)
    (checkout,) = figures["checkouts"].values()
    assert checkout["rendering"] == [] and len(checkout["seconds"]) == 1 and checkout["median"] > 0
