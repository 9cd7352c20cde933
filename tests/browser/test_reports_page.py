"""The /reports page as clinic staff use it, in headless Chromium against a live server and a real worker."""

import csv
import io
import json
import re
import time

import openpyxl
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from reports.models import ExportFormat, ReportStatus
from tests.browser.support import no_reload, shoot

pytestmark = pytest.mark.e2e

FORMATS = {"PDF": "pdf", "EXCEL": "xlsx", "CSV": "csv", "JSON": "json"}
FORMAT_NAMES = {"PDF": "PDF", "EXCEL": "Excel", "CSV": "CSV", "JSON": "JSON"}
SHAPES = "path, rect, circle, ellipse, polygon, polyline"

# Records the data-status of every report item each time it changes or is drawn again.
WATCH_STATUSES = """() => {
  window.__statuses = {};
  const note = (item) => {
    const seen = (window.__statuses[item.dataset.reportId] ||= []);
    if (seen[seen.length - 1] !== item.dataset.status) seen.push(item.dataset.status);
  };
  const list = document.getElementById("report-list");
  list.querySelectorAll("li[data-report-id]").forEach(note);
  new MutationObserver((records) => records.forEach((record) => {
    if (record.type === "attributes" && record.target.matches("li[data-report-id]")) note(record.target);
    record.addedNodes.forEach((node) => node.nodeType === 1 && node.matches("li[data-report-id]") && note(node));
  })).observe(list, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
}"""

# Every control's accessible name, as a screen reader would announce it (label, aria-label or text).
UNNAMED_CONTROLS = """() => [...document.querySelectorAll("input, select, textarea, button, a[href]")]
  .filter((el) => el.type !== "hidden" && el.getClientRects().length)
  .filter((el) => {
    const labelled = el.labels && [...el.labels].some((label) => label.textContent.trim());
    const named = (el.getAttribute("aria-label") || "").trim() || (el.textContent || "").trim();
    return !(labelled || named || el.getAttribute("aria-labelledby"));
  })
  .map((el) => el.outerHTML.slice(0, 80))"""

# Text whose contrast with its background is below WCAG AA (4.5:1, or 3:1 for large text).
LOW_CONTRAST = """() => {
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length === 3 || (color.length === 4 && color[3] === 1)) return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const el = text.parentElement;
    const hidden = el.closest("svg, .visually-hidden, [disabled], dialog:not([open])");
    if (!text.textContent.trim() || !el.getClientRects().length || hidden) continue;
    const style = getComputedStyle(el);
    const [fg, bg] = [luminance(rgb(style.color)), luminance(background(el))];
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) low.push(`${text.textContent.trim().slice(0, 40)} (${ratio.toFixed(2)})`);
  }
  return low;
}"""


def item(page, title):
    """A report of My reports, found by its title."""
    return page.locator("#report-list > li[data-report-id]").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


def form(page):
    """The new-report form (the dashboard has period controls of the same names)."""
    return page.locator("#generate-form")


def generate(page, template, export_format, title, preset="Last 90 days"):
    page.get_by_role("radio", name=re.compile(f"^{template}")).check()
    form(page).get_by_role("radio", name=preset, exact=True).check()
    page.locator("#formats").get_by_role("radio", name=re.compile(f"^{FORMAT_NAMES[export_format]}")).check()
    page.get_by_label("Title", exact=False).fill(title)
    page.get_by_role("button", name="Generate report").click()
    expect(page.locator("#generate-message")).to_contain_text(f"“{title}” is being prepared")
    expect(item(page, title)).to_have_count(1)
    return item(page, title)


def completed(page, title, export_format="PDF", template="Visit trends"):
    report = generate(page, template, export_format, title)
    expect(report).to_have_attribute("data-status", "COMPLETED")
    return report


def download(page, report, title, tmp_path):
    with page.expect_download() as started:
        report.get_by_role("link", name=f"Download: {title}").click()
    saved = tmp_path / started.value.suggested_filename
    started.value.save_as(saved)
    return saved


def test_log_in_and_the_page_has_named_controls_and_readable_contrast(log_in):
    page = log_in("doctor", screenshot="login")
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    cards = page.locator(".template-card")
    expect(cards).to_have_count(7)  # a doctor may use every template but dental statistics
    first = cards.first
    expect(first.locator(".card-description")).not_to_be_empty()
    expect(first.locator(".card-contents")).not_to_be_empty()
    expect(first.locator(".badge")).to_have_text(["PDF", "Excel", "CSV", "JSON"])
    expect(page.locator("#clinic-figures .clinic-figure")).to_have_count(4)  # the clinic's figures, no system tab
    expect(page.locator("#kpis .kpi")).to_have_count(0)
    assert page.evaluate(UNNAMED_CONTROLS) == []
    assert page.evaluate(LOW_CONTRAST) == []
    # The period presets fill the dates from the clinic's today.
    today = page.locator("#reports-app").get_attribute("data-today")
    form(page).get_by_role("radio", name="This year", exact=True).check()
    expect(form(page).get_by_label("From", exact=True)).to_have_value(f"{today[:4]}-01-01")
    expect(form(page).get_by_label("To", exact=True)).to_have_value(today)
    form(page).get_by_role("radio", name="Last 30 days", exact=True).check()
    page.set_viewport_size({"width": 1366, "height": 1400})
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "reports-page")


def test_a_report_in_each_format_goes_from_pending_to_completed_live_and_opens(log_in, workers, tmp_path):
    workers.stop()  # nothing runs until every report is on the page, PENDING
    page = log_in("doctor")
    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/status/" in request.url else None)
    titles = {export_format: f"Visit trends as {export_format}" for export_format in FORMATS}
    with no_reload(page):
        for export_format, title in titles.items():
            report = generate(page, "Visit trends", export_format, title)
            expect(report).to_have_attribute("data-status", "PENDING")
            expect(report.locator("progress")).to_be_visible()
        page.evaluate(WATCH_STATUSES)
        shoot(page.locator("#my-reports"), "reports-in-progress")
        workers.start()
        for title in titles.values():
            expect(item(page, title)).to_have_attribute("data-status", "COMPLETED")
            expect(item(page, title).locator(".chip")).to_have_text("Completed")
    seen = page.evaluate("window.__statuses")
    ids = {title: item(page, title).get_attribute("data-report-id") for title in titles.values()}
    for title, report_id in ids.items():
        assert seen[report_id][0] == "PENDING" and seen[report_id][-1] == "COMPLETED", (title, seen[report_id])
        assert set(seen[report_id]) <= {"PENDING", "GENERATING", "COMPLETED"}
    # One request asks for every visible report in progress, and polling stops once none is.
    assert polls and all("/generated/status/?ids=" in url for url in polls), polls
    assert any(set(url.split("ids=")[1].split(",")) == set(ids.values()) for url in polls), polls
    settled = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == settled

    files = {fmt: download(page, item(page, title), title, tmp_path) for fmt, title in titles.items()}
    assert {fmt: path.suffix for fmt, path in files.items()} == {fmt: f".{ext}" for fmt, ext in FORMATS.items()}

    document = json.loads(files["JSON"].read_text())
    assert document["title"] == titles["JSON"] and document["report_type"] == "VISIT_TRENDS"
    total = document["summary"]["total_visits"]
    assert total > 0  # the demo data has visits in the last 90 days

    pdf_text = " ".join(" ".join(sheet.extract_text().split()) for sheet in PdfReader(files["PDF"]).pages)
    assert titles["PDF"] in pdf_text and f"Total visits {total:,}" in pdf_text

    summary = openpyxl.load_workbook(files["EXCEL"])["Summary"]
    assert summary["A1"].value == titles["EXCEL"]
    assert ("Total visits", total) in [row[:2] for row in summary.iter_rows(values_only=True)]

    rows = list(csv.reader(io.StringIO(files["CSV"].read_text(encoding="utf-8-sig"))))
    assert rows[:2] == [
        ["Section", "Row", "Label", "Column", "Value"],
        ["Report", "1", "Title", "Value", titles["CSV"]],
    ]
    assert ["Summary", "Total visits", "Value", str(total)] in [[row[0], *row[2:]] for row in rows]


def test_start_after_end_is_explained_next_to_the_end_date(log_in):
    page = log_in("doctor")
    page.wait_for_load_state("networkidle")  # My Reports has loaded: count what was there before
    before = page.locator("#report-list > li[data-report-id]").count()
    page.get_by_role("radio", name=re.compile("^Patient summary")).check()
    form(page).get_by_label("From", exact=True).fill("2025-03-10")
    form(page).get_by_label("To", exact=True).fill("2025-03-01")
    expect(form(page).get_by_role("radio", name="Custom", exact=True)).to_be_checked()
    page.get_by_role("button", name="Generate report").click()
    end = form(page).get_by_label("To", exact=True)
    error = form(page).locator(".field", has=page.get_by_label("To", exact=True)).locator(".field-error")
    expect(error).to_have_text(re.compile("The end date is before the start date"))
    expect(end).to_have_attribute("aria-invalid", "true")
    expect(end).to_be_focused()
    assert end.get_attribute("aria-describedby") == error.get_attribute("id")
    expect(page.locator("#generate-message")).to_have_text("Please correct the highlighted fields.")
    shoot(page.locator("#new-report"), "validation-error")
    assert page.locator("#report-list > li[data-report-id]").count() == before
    end.fill("2025-03-31")
    expect(error).to_be_hidden()


def test_formats_and_statuses_are_named_as_the_server_names_them(log_in):
    page = log_in("doctor")
    formats, statuses = dict(ExportFormat.choices), dict(ReportStatus.choices)
    page.locator(".template-card").first.click()  # no report is chosen until the user chooses one
    supported = page.locator("#formats input[name=export_format]").evaluate_all("inputs => inputs.map((i) => i.value)")
    expect(page.locator("#formats .format-name")).to_have_text([formats[value] for value in supported])
    expect(page.locator(".template-card").first.locator(".badge")).to_have_text([formats[value] for value in supported])
    expect(page.locator("#list-status option")).to_have_text(["All statuses", *statuses.values()])
    generate(page, "Visit trends", "EXCEL", "Named by the server")
    chips = page.locator("#report-list > li[data-report-id]").evaluate_all(
        "items => items.map((i) => [i.dataset.status, i.querySelector('[data-role=status]').textContent])"
    )
    assert chips and all(text == statuses[status] for status, text in chips), chips
    expect(item(page, "Named by the server").locator(".report-details")).to_contain_text(formats["EXCEL"])


def test_the_list_shows_each_reports_filters_in_words_and_whether_small_counts_are_hidden(log_in, workers):
    workers.ensure()
    page = log_in("nurse")
    page.get_by_role("radio", name=re.compile("^Visit trends")).check()
    page.get_by_label("Sex", exact=True).select_option(label="Female")
    page.get_by_label("Patient type", exact=True).select_option(label="Student")
    page.get_by_label("Hide small counts").check()
    filtered = generate(page, "Visit trends", "PDF", "Visits of women students")
    expect(filtered.locator(".report-filters")).to_have_text("Sex: Female; Patient type: Student · Small counts hidden")
    page.get_by_label("Sex", exact=True).select_option(value="")
    page.get_by_label("Patient type", exact=True).select_option(value="")
    page.get_by_label("Hide small counts").uncheck()
    everyone = generate(page, "Visit trends", "PDF", "Visits of everyone")
    expect(everyone.locator(".report-filters")).to_have_text("No filters · All counts shown")
    expect(filtered).to_have_attribute("data-status", "COMPLETED")
    filtered.get_by_role("button", name="Preview: Visits of women students").click()
    dialog = page.get_by_role("dialog", name="Visits of women students")
    expect(dialog.locator("#preview-meta")).to_contain_text("Filters: Sex: Female; Patient type: Student")


def test_a_failed_report_shows_its_reason_and_retry_completes_it(log_in, workers, tmp_path):
    not_a_folder = tmp_path / "storage-is-a-file"
    not_a_folder.write_text("the reports storage cannot be created under a file")
    workers.start(MEDIA_ROOT=str(not_a_folder), REPORT_STORE_ATTEMPTS="1", REPORT_STORE_BACKOFF_SECONDS="0")
    try:
        page = log_in("staff")
        title = "Patients while the storage is down"
        report = generate(page, "Patient summary", "PDF", title)
        expect(report).to_have_attribute("data-status", "FAILED")
        expect(report.locator(".report-error")).to_have_text(re.compile("could not be stored"))
        expect(report.get_by_role("link", name=f"Download: {title}")).to_have_count(0)
        shoot(page.locator("#my-reports"), "failed-report")
    finally:
        workers.start()  # the ordinary storage again
    with no_reload(page):
        report.get_by_role("button", name=f"Retry: {title}").click()
        expect(report).to_have_attribute("data-status", "COMPLETED")
    expect(report.get_by_role("link", name=f"Download: {title}")).to_be_visible()


def test_a_nurse_does_not_see_the_dental_template(log_in):
    page = log_in("nurse")
    names = page.locator(".template-card .card-name").all_inner_texts()
    assert "Medical statistics" in names
    assert "Dental statistics" not in names
    assert "Dental statistics" not in page.locator("#list-type option").all_inner_texts()


def test_delete_asks_for_confirmation_and_works_from_the_keyboard(log_in, workers):
    workers.ensure()
    page = log_in("doctor")
    title = "Report to delete"
    report = completed(page, title, "CSV")
    report_id = report.get_attribute("data-report-id")
    delete = report.get_by_role("button", name=f"Delete: {title}")

    delete.click()
    dialog = page.get_by_role("dialog", name="Delete this report?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"“{title}” and its file will be deleted")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    shoot(page, "delete-confirmation")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(report).to_have_count(1)

    delete.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Delete report")).to_be_focused()
    page.keyboard.press("Enter")
    expect(report).to_have_count(0)
    expect(page.locator("#announcer")).to_have_text(f"“{title}” was deleted.")
    assert page.request.get(f"{page.url.rsplit('/', 1)[0]}/api/reports/generated/{report_id}/").status == 404


def save_preset(page, template, name, period, shown_to):
    """Set up the form for ``template`` over the relative ``period`` and save it as a preset named ``name``."""
    page.get_by_role("radio", name=re.compile(f"^{template}")).check()
    form(page).get_by_role("radio", name=period, exact=True).check()
    page.get_by_role("button", name="Save as preset").click()
    dialog = page.get_by_role("dialog", name="Save as preset")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Shown to").select_option(label=shown_to)
    dialog.get_by_role("button", name="Save preset").click()
    expect(dialog).to_be_hidden()
    return page.locator("#my-presets li").filter(has_text=name)


def test_a_preset_with_a_relative_period_is_saved_run_and_shared_by_role(log_in, workers):
    workers.ensure()
    page = log_in("doctor")
    expect(page.locator("input[name=template]:checked")).to_have_count(0)  # no report is chosen for the user
    mine = save_preset(page, "Visit trends", "Last month's visits", "Last month", "My role group")
    expect(mine).to_contain_text("Visit trends · Previous month · PDF")
    withheld = save_preset(page, "Comprehensive analytics", "Director's month", "Last month", "The whole clinic")
    expect(withheld).to_have_count(1)
    shoot(page.locator("#new-report"), "presets")
    mine.get_by_role("button", name="Run now: Last month's visits").click()
    expect(page.locator("#preset-message")).to_contain_text("from the preset “Last month's visits”")
    report = page.locator("#report-list > li[data-report-id]").first
    expect(report).to_have_attribute("data-status", "COMPLETED")
    expect(report).to_contain_text("Previous month")

    colleague = log_in("colleague")
    shared = colleague.locator("#shared-presets li")
    expect(shared.filter(has_text="Last month's visits")).to_contain_text("Shared by")
    expect(shared.filter(has_text="Director's month")).to_have_count(1)
    visits = shared.filter(has_text="Last month's visits")
    expect(visits.get_by_role("button", name=re.compile("^Edit"))).to_have_count(0)  # only its owner edits it

    nurse = log_in("nurse")
    expect(nurse.locator("#shared-presets")).to_contain_text("No preset is shared with you.")  # a nurse may not use
    # comprehensive analytics, and the other preset is shared with doctors only


def test_a_preset_is_edited_in_the_form_and_deleted(log_in):
    page = log_in("doctor")
    preset = save_preset(page, "Patient summary", "Patients this year", "This year", "Only me")
    preset.get_by_role("button", name="Edit: Patients this year").click()
    form(page).get_by_label("Compare with").select_option("same_period_last_year")
    page.get_by_role("button", name="Update “Patients this year”").click()
    dialog = page.get_by_role("dialog", name="Update “Patients this year”")
    expect(dialog.get_by_label("Name")).to_have_value("Patients this year")
    dialog.get_by_role("button", name="Save preset").click()
    expect(preset).to_contain_text("against the same period last year")
    preset.get_by_role("button", name="Delete: Patients this year").click()
    page.get_by_role("dialog", name="Delete this preset?").get_by_role("button", name="Delete preset").click()
    expect(preset).to_have_count(0)


def test_a_compared_report_shows_both_periods_in_its_preview_and_its_file(log_in, workers, tmp_path):
    workers.ensure()
    page = log_in("doctor")
    title = "Visits against the period before"
    form(page).get_by_label("Compare with").select_option("previous_period")
    report = completed(page, title, "CSV")
    report.get_by_role("button", name=f"Preview: {title}").click()
    dialog = page.get_by_role("dialog", name=title)
    expect(dialog.locator("#preview-meta")).to_contain_text("Compared with previous period:")
    table = dialog.locator("table.compared-figures")
    expect(table.locator("thead th")).to_contain_text(["Figure", "This period", "Previous period", "Change"])
    total = table.locator("tbody tr").filter(has_text="Total visits")
    expect(total.locator("td")).to_have_count(4)  # 90 days against the 90 before: no figures per day
    charts = dialog.locator("figure.chart-card svg.chart")
    expect(charts.first).to_contain_text("Medical, previous period")
    shoot(page, "preview-compared")
    dialog.get_by_role("button", name="Close").click()
    lines = list(csv.DictReader(io.StringIO(download(page, report, title, tmp_path).read_text("utf-8-sig"))))
    columns = {line["Column"] for line in lines if line["Label"] == "Total visits"}
    assert {"This period", "Previous period", "Change", "Change, %"} <= columns
    assert any(line["Label"] == "Compared with" and line["Value"] == "Previous period" for line in lines)


def test_preview_shows_figures_and_charts_and_export_as_makes_a_new_report(log_in, workers):
    workers.ensure()
    page = log_in("doctor")
    title = "Treatment outcomes to preview"
    report = completed(page, title, "PDF", template="Treatment outcomes")
    report.get_by_role("button", name=f"Preview: {title}").click()
    dialog = page.get_by_role("dialog", name=title)
    expect(dialog.locator(".figure")).to_have_count(5)
    expect(dialog.locator(".figure").first).to_contain_text("Total cases")
    charts = dialog.locator("figure.chart-card svg.chart")
    expect(charts).to_have_count(2)
    assert all(chart.locator(SHAPES).count() > 3 for chart in charts.all())
    expect(dialog.get_by_role("link", name=f"Download: {title}")).to_be_visible()
    dialog.locator("details summary").first.click()
    expect(dialog.locator("details table").first).to_be_visible()
    shoot(page, "preview")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    report.get_by_role("button", name=f"Export as…: {title}").click()
    export = page.get_by_role("dialog", name="Export as another format")
    export.get_by_role("radio", name=re.compile("^Excel")).check()
    export.get_by_role("button", name="Export").click()
    expect(export).to_be_hidden()
    copies = page.locator("#report-list > li[data-report-id]").filter(has=page.get_by_role("heading", name=title))
    expect(copies).to_have_count(2)
    expect(copies.first.locator(".report-details")).to_contain_text("Excel")
    expect(copies.first).to_have_attribute("data-status", "COMPLETED")


def test_an_expired_report_is_greyed_with_its_date_and_can_be_generated_again(log_in, workers, system):
    workers.ensure()
    page = log_in("doctor")
    title = "Visit trends that expired"
    report = completed(page, title, "JSON")
    system.manage(
        "shell",
        "--verbosity=0",
        "-c",
        "import datetime as dt; from django.utils import timezone; from reports.models import GeneratedReport; "
        f"GeneratedReport.objects.filter(title={title!r}).update(expires_at=timezone.now() - dt.timedelta(days=1))",
    )
    system.manage("reports_cleanup")
    page.reload()
    expect(report).to_have_attribute("data-status", "EXPIRED")
    expect(report.locator(".chip")).to_have_text("Expired")
    expect(report.locator(".report-note")).to_have_text(re.compile(r"^Expired on \w{3} \d{1,2}, \d{4}"))
    grey = report.evaluate("node => getComputedStyle(node).backgroundColor")
    assert grey == "rgb(245, 247, 249)"
    expect(report.get_by_role("link", name=f"Download: {title}")).to_have_count(0)
    page.locator("#list-status").select_option("EXPIRED")
    expect(page.locator("#report-list > li[data-report-id]")).to_have_count(1)
    report.get_by_role("button", name=f"Generate again: {title}").click()
    page.get_by_role("dialog", name="Generate again").get_by_role("button", name="Generate").click()
    again = page.locator("#report-list > li[data-report-id]").filter(has=page.get_by_role("heading", name=title))
    expect(again.first).to_have_attribute("data-status", "COMPLETED")


def test_the_admin_dashboard_draws_its_charts_system_wide(log_in, workers):
    workers.ensure()
    page = log_in("admin")
    completed(page, "Campaigns for the dashboard", "PDF", template="Campaign performance")
    page.reload()  # a dashboard drawn once, with nothing in progress to redraw it
    dashboard = page.locator("#dashboard")
    dashboard.get_by_role("tab", name="System").click()
    expect(dashboard.locator(".scope")).to_contain_text("System-wide")
    charts = dashboard.locator("figure.chart-card")
    expect(charts).to_have_count(5)
    drawn = dashboard.locator("figure.chart-card svg.chart")
    expect(drawn).to_have_count(5)
    for chart in drawn.all():
        box = chart.bounding_box()
        assert box["width"] > 200 and box["height"] > 30
        assert chart.locator(SHAPES).count() >= 2  # marks, legend swatches, axes
        assert chart.locator("title").text_content()
    everyone = page.request.get(page.url.rsplit("/", 1)[0] + "/api/reports/generated/dashboard/").json()
    expect(dashboard.locator(".kpi").first.locator(".kpi-value")).to_have_text(str(everyone["totals"]["reports"]))
    expect(page.locator("#my-reports-heading")).to_have_text("All reports")
    dashboard.scroll_into_view_if_needed()
    shoot(dashboard, "dashboard")
    shoot(page.locator("#my-reports"), "my-reports")


def test_generating_with_the_keyboard_alone(log_in, workers):
    workers.ensure()
    page = log_in("doctor")
    page.locator("body").focus()
    visited = []
    for _ in range(60):  # the saved presets' buttons come first
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.name || document.activeElement.id")
        visited.append(focused)
        if focused == "template":
            page.keyboard.press("ArrowRight")  # the next report card
        if focused == "title":
            page.keyboard.type("Typed without a mouse")
        if focused == "generate-button":
            break
    assert visited[-1] == "generate-button", visited
    assert {"template", "preset", "date_range_start", "date_range_end", "export_format", "title"} <= set(visited)
    page.keyboard.press("Enter")
    report = item(page, "Typed without a mouse")
    expect(report).to_have_attribute("data-status", "COMPLETED")
    expect(report.locator(".report-details")).to_contain_text("Comprehensive analytics")


@pytest.mark.parametrize(("name", "viewport"), [("phone", {"width": 390, "height": 844}), ("wide", None)])
def test_the_layout_holds_from_a_phone_to_a_wide_monitor(log_in, name, viewport):
    page = log_in("doctor", viewport=viewport or {"width": 1920, "height": 1080})
    expect(page.locator("#clinic-figures svg.chart").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    columns = page.evaluate("getComputedStyle(document.getElementById('template-cards')).gridTemplateColumns")
    assert len(columns.split()) == (1 if name == "phone" else 4)
    if name == "phone":
        # Compact cards: the period is within two screens of the top, not below every card's description.
        period = page.locator("#presets").bounding_box()["y"] + page.evaluate("window.scrollY")
        assert period < 2 * 844, period
        shoot(page, "phone")


# The names the page shows for the demo's doctor and nurse (the demo names its logins).
NAMES = """
import json
from django.contrib.auth.models import User
print(json.dumps({name: User.objects.get(username=name).get_full_name() or name for name in ("doctor", "nurse")}))
"""


def test_a_preset_is_scheduled_a_test_is_mailed_and_its_link_opens_the_report(log_in, workers, system):
    workers.ensure()
    page = log_in("doctor")
    preset = save_preset(page, "Visit trends", "Monday visits", "Last month", "Only me")
    preset.get_by_role("button", name="Schedule: Monday visits").click()
    dialog = page.get_by_role("dialog", name="Schedule “Monday visits”")
    expect(dialog.get_by_role("checkbox", name="Mon")).to_be_checked()
    dialog.get_by_label("Time of day").fill("07:00")
    names = json.loads(system.manage("shell", "--verbosity=0", "-c", NAMES).stdout)
    dialog.get_by_role("checkbox", name=names["nurse"]).check()
    shoot(dialog, "schedule-dialog")
    dialog.get_by_role("button", name="Save schedule").click()
    expect(dialog).to_be_hidden()
    item = page.locator("#schedule-list li").filter(has_text="Monday visits")
    expect(item).to_contain_text("Every Monday at 07:00 (Asia/Manila)")
    expect(item).to_contain_text(f"To {names['nurse']}")
    expect(item.locator("[data-role=schedule-state]")).to_have_text("Active")
    expect(item).to_contain_text(re.compile(r"Next: \d{4}-\d\d-\d\d 07:00 \(Asia/Manila\)"))

    mailed = len(system.mail.to("doctor@clinic.example"))
    item.get_by_role("button", name="Send a test to me: Monday visits").click()
    expect(page.locator("#schedule-message")).to_contain_text("mailed to you alone")
    deadline = time.monotonic() + 60
    while len(system.mail.to("doctor@clinic.example")) == mailed and time.monotonic() < deadline:
        time.sleep(0.2)
    received = system.mail.to("doctor@clinic.example")[mailed:]
    assert len(received) == 1 and received[0].message["Subject"].startswith("[Test] Visit trends: Previous month")
    assert system.mail.to("nurse@clinic.example") == []  # a test reaches its requester alone
    link = re.search(r"https?://\S+/reports\?report=(\d+)", received[0].message.get_body().get_content())

    page.reload()
    item.get_by_role("button", name="History: Monday visits").click()
    expect(item.locator("[data-role=runs]")).to_contain_text("Test to its requester · Report sent")
    expect(item.locator("[data-role=runs]")).to_contain_text(f"{names['doctor']}: sent")
    shoot(item, "schedule-history")
    item.get_by_role("button", name="Pause: Monday visits").click()
    expect(item.locator("[data-role=schedule-state]")).to_have_text("Paused")
    expect(item).to_contain_text("No next run while paused")
    shoot(page.locator("#schedules"), "schedules")
    phone = log_in("doctor", viewport={"width": 390, "height": 844})
    phone.locator("#schedules").scroll_into_view_if_needed()
    shoot(phone.locator("#schedules"), "schedules-phone")

    page.goto(f"{system.base}/reports?report={link.group(1)}")  # the mail's link, on this system
    preview = page.get_by_role("dialog", name=re.compile("^Visit trends"))
    expect(preview.locator(".figure").first).to_be_visible()
