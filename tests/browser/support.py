"""What the browser tests share: the test password, screenshots, and a check that the page did not reload."""

import os
from contextlib import contextmanager
from pathlib import Path

from tests.system import ROOT

# Where the screenshots go: build/screenshots/ (not kept); SCREENSHOTS_DIR=docs/screenshots refreshes the README's.
SCREENSHOTS = ROOT / Path(os.environ.get("SCREENSHOTS_DIR") or "build/screenshots")
PASSWORD = "browser-test-password"


def shoot(page_or_locator, name, **options):
    """Save a screenshot of the page (or one element) as ``<name>.png`` into ``SCREENSHOTS``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page_or_locator.screenshot(path=SCREENSHOTS / f"{name}.png", animations="disabled", **options)


@contextmanager
def no_reload(page):
    """Fails if the page navigated (reloaded) inside the block."""
    page.evaluate("window.__sameDocument = true")
    yield
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
