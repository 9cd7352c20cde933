"""What the browser tests share: the test password, screenshots, and a check that the page did not reload."""

from contextlib import contextmanager

from tests.system import ROOT

SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "browser-test-password"


def shoot(page_or_locator, name, **options):
    """Save a screenshot into docs/screenshots/ (kept in the repository, shown in the README)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page_or_locator.screenshot(path=SCREENSHOTS / f"{name}.png", animations="disabled", **options)


@contextmanager
def no_reload(page):
    """Fails if the page navigated (reloaded) inside the block."""
    page.evaluate("window.__sameDocument = true")
    yield
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
