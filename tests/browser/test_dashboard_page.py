"""The page's dashboard: clinic figures for a chosen period, and the report system's figures in ADMIN's System tab."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import shoot

pytestmark = pytest.mark.e2e

FIGURES = ["Visits", "Patients seen", "Treatment success", "Patient satisfaction"]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


def clinic_api(page, query):
    return page.request.get(page.url.rsplit("/", 1)[0] + "/api/reports/dashboard/clinic/?" + query).json()


def test_a_doctor_sees_the_clinic_figures_for_a_chosen_period_and_no_system_tab(log_in):
    page = log_in("doctor")
    dashboard = page.locator("#dashboard")
    figures = dashboard.locator(".clinic-figure")
    expect(figures.locator("h3")).to_have_text(FIGURES)
    expect(dashboard.get_by_role("tab")).to_have_count(0)
    expect(dashboard.get_by_text("System-wide")).to_have_count(0)
    expect(page.locator("#kpis, #dashboard-charts")).to_have_count(0)

    dashboard.get_by_label("This year").check()
    expect(page.locator("#clinic-summary")).to_contain_text("by month")
    year = clinic_api(page, "period=this_year")
    expect(figures.locator(".clinic-value")).to_have_text([figure["text"] for figure in year["figures"]])
    expect(figures.first.locator("svg.chart")).to_be_visible()
    assert figures.first.locator("svg.chart title").text_content() == "Visits by month"
    assert not [word for word in ("ms", "KB", "Failure rate") if re.search(rf"\b{word}\b", dashboard.inner_text())]

    dashboard.get_by_label("Custom").check()
    page.locator("#clinic-start").fill("2024-06-01")
    page.locator("#clinic-end").fill("2024-01-01")
    dashboard.get_by_role("button", name="Show").click()
    expect(page.locator("#error-clinic-end")).to_contain_text("on or after the start date")
    expect(page.locator("#clinic-end")).to_have_attribute("aria-invalid", "true")
    page.locator("#clinic-end").fill("2024-06-30")
    dashboard.get_by_role("button", name="Show").click()
    expect(page.locator("#error-clinic-end")).to_be_empty()
    expect(page.locator("#clinic-summary")).to_contain_text("by week")


def test_an_admin_sees_the_report_system_in_the_system_tab(log_in):
    page = log_in("admin")
    dashboard = page.locator("#dashboard")
    expect(dashboard.locator(".clinic-figure h3")).to_have_text(FIGURES)
    clinic, system = dashboard.get_by_role("tab", name="Clinic"), dashboard.get_by_role("tab", name="System")
    expect(clinic).to_have_attribute("aria-selected", "true")
    expect(page.locator("#system-panel")).to_be_hidden()
    system.click()
    expect(system).to_have_attribute("aria-selected", "true")
    expect(page.locator("#clinic-panel")).to_be_hidden()
    expect(page.locator("#system-panel .scope")).to_have_text("System-wide: every user's reports")
    expect(page.locator("#kpis .kpi")).to_have_count(8)
    expect(page.locator("#kpis")).to_contain_text("Failure rate")
    expect(page.locator("#system-panel figure.chart-card")).to_have_count(5)
    page.keyboard.press("ArrowLeft")
    expect(clinic).to_be_focused()
    expect(page.locator("#clinic-panel")).to_be_visible()


@pytest.mark.parametrize("username", ["doctor", "admin"])
@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_dashboard_fits_a_phone_and_a_desktop(log_in, username, width, viewport):
    page = log_in(username, viewport=viewport)
    dashboard = page.locator("#dashboard")
    expect(dashboard.locator(".clinic-figure svg.chart").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    dashboard.scroll_into_view_if_needed()
    shoot(dashboard, f"dashboard-{username}-{width}")
    dashboard.get_by_label("This year").check()
    expect(page.locator("#clinic-summary")).to_contain_text("by month")
    expect(dashboard.locator(".clinic-figure svg.chart").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    readme = (username, width) == ("doctor", "desktop")  # the README's screenshot
    shoot(dashboard, "dashboard-clinic" if readme else f"dashboard-{username}-{width}-year")
    if username == "admin":
        dashboard.get_by_role("tab", name="System").click()
        expect(page.locator("#kpis .kpi")).to_have_count(8)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shoot(dashboard, f"dashboard-system-{width}")
