"""The audit trail: one append-only event per generate, download and delete attempt."""

import csv
import io

import pytest
from django.db import DatabaseError
from django.test import Client
from rest_framework.test import APIClient

from reports import anonymous_access, audit
from reports.models import AnonymousAccessCount, GeneratedReport, ReportAccessEvent, ReportStatus
from reports.tests.readers import formula_cells
from uscpis import client_address


def events():
    return list(ReportAccessEvent.objects.order_by("id").values_list("action", "outcome", "status_code", "report_id"))


def test_generate_is_audited_with_the_new_report(api, template, doctor):
    body = api.post(
        f"/api/reports/templates/{template.pk}/generate/",
        {"date_range_start": "2025-01-01", "date_range_end": "2025-01-31", "export_format": "PDF"},
        HTTP_USER_AGENT="ClinicBrowser/1.0",
        REMOTE_ADDR="10.1.2.3",
    ).json()
    event = ReportAccessEvent.objects.get()
    assert (event.action, event.outcome, event.report_id, event.template_id) == (
        "GENERATE",
        "ACCEPTED",
        body["id"],
        template.pk,
    )
    assert (event.user, event.username, event.client_ip, event.user_agent) == (
        doctor,
        "doctor",
        "10.1.2.3",
        "ClinicBrowser/1.0",
    )


def test_every_download_outcome_is_audited(completed_report, make_report, doctor, make_user):
    api = APIClient()
    api.force_authenticate(doctor)
    pending = make_report(doctor)
    expired = make_report(doctor, status=ReportStatus.EXPIRED)
    api.get(f"/api/reports/generated/{completed_report.pk}/download/")
    api.get(f"/api/reports/generated/{pending.pk}/download/")
    api.get(f"/api/reports/generated/{expired.pk}/download/")
    api.get("/api/reports/generated/987654/download/")
    student = APIClient()
    student.force_authenticate(make_user("STUDENT"))
    student.get(f"/api/reports/generated/{completed_report.pk}/download/")
    APIClient().get(f"/api/reports/generated/{completed_report.pk}/download/")
    assert events() == [
        ("DOWNLOAD", "SERVED", 200, completed_report.pk),
        ("DOWNLOAD", "NOT_READY", 409, pending.pk),
        ("DOWNLOAD", "EXPIRED", 410, expired.pk),
        ("DOWNLOAD", "NOT_FOUND", 404, 987654),
        ("DOWNLOAD", "DENIED", 403, completed_report.pk),
    ]
    assert ReportAccessEvent.objects.filter(outcome="SERVED").get().tier
    anonymous = AnonymousAccessCount.objects.get()  # counted, not recorded one by one
    assert (anonymous.action, anonymous.outcome, anonymous.attempts) == ("DOWNLOAD", "NOT_AUTHENTICATED", 1)


def anonymous_counts():
    return sorted(AnonymousAccessCount.objects.values_list("client_network", "action", "outcome", "attempts"))


def test_a_flood_of_anonymous_attempts_adds_no_event_and_one_counted_row_per_network(completed_report, template):
    download = f"/api/reports/generated/{completed_report.pk}/download/"
    generate = f"/api/reports/templates/{template.pk}/generate/"
    anonymous = APIClient()
    for _ in range(70):  # past the default allowance of 60 a minute
        anonymous.get(download, REMOTE_ADDR="198.51.100.7")
    for n in range(1, 6):
        anonymous.post(generate, {}, REMOTE_ADDR=f"2001:db8:1:2::{n}")
    anonymous.delete(f"/api/reports/generated/{completed_report.pk}/", REMOTE_ADDR="198.51.100.9")
    assert events() == []
    assert anonymous_counts() == [
        ("198.51.100.7", "DOWNLOAD", "NOT_AUTHENTICATED", 60),
        ("198.51.100.7", "DOWNLOAD", "THROTTLED", 10),
        ("198.51.100.9", "DELETE", "NOT_AUTHENTICATED", 1),
        ("2001:db8:1:2::/64", "GENERATE", "NOT_AUTHENTICATED", 5),
    ]
    row = AnonymousAccessCount.objects.get(client_network="198.51.100.7", outcome="THROTTLED")
    assert row.first_at <= row.last_at and row.hour <= row.first_at


def test_the_counted_rows_of_an_hour_are_bounded_whatever_the_addresses(completed_report, monkeypatch):
    monkeypatch.setattr(anonymous_access, "ROWS_PER_HOUR", 3)
    for n in range(1, 11):
        APIClient().get(f"/api/reports/generated/{completed_report.pk}/download/", REMOTE_ADDR=f"203.0.113.{n}")
    assert anonymous_counts() == [
        ("", "DOWNLOAD", "NOT_AUTHENTICATED", 7),
        ("203.0.113.1", "DOWNLOAD", "NOT_AUTHENTICATED", 1),
        ("203.0.113.2", "DOWNLOAD", "NOT_AUTHENTICATED", 1),
        ("203.0.113.3", "DOWNLOAD", "NOT_AUTHENTICATED", 1),
    ]
    assert events() == []


def test_delete_is_audited_and_the_event_outlives_the_report(completed_report, doctor):
    api = APIClient()
    api.force_authenticate(doctor)
    api.delete(f"/api/reports/generated/{completed_report.pk}/")
    assert not GeneratedReport.objects.exists()
    assert events() == [("DELETE", "DELETED", 204, completed_report.pk)]


def test_reading_lists_and_status_is_not_audited_as_access(completed_report, doctor):
    api = APIClient()
    api.force_authenticate(doctor)
    api.get("/api/reports/generated/")
    api.get(f"/api/reports/generated/{completed_report.pk}/status/")
    assert events() == []


def test_a_download_whose_audit_cannot_be_written_is_refused(completed_report, doctor, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr("reports.api.auditing.record_access", broken)
    api = APIClient()
    api.force_authenticate(doctor)
    response = api.get(f"/api/reports/generated/{completed_report.pk}/download/")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert b"".join(getattr(response, "streaming_content", [response.content])).startswith(b'{"detail"')


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.5", "", set(), "203.0.113.5"),
        ("203.0.113.5", "198.51.100.7", set(), "203.0.113.5"),  # an untrusted sender's header is ignored
        ("10.0.0.2", "198.51.100.7", {"10.0.0.2"}, "198.51.100.7"),
        ("10.0.0.2", "1.1.1.1, 198.51.100.7, 10.0.0.3", {"10.0.0.2", "10.0.0.3"}, "198.51.100.7"),
        ("10.0.0.2", "not-an-ip", {"10.0.0.2"}, "10.0.0.2"),
    ],
)
def test_client_ip_honours_only_trusted_proxies(rf, settings, remote, forwarded, trusted, expected):
    settings.TRUSTED_PROXIES = frozenset(trusted)
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address.client_ip(request) == expected


def test_trusted_proxies_may_be_networks(rf, settings):
    """As behind a load balancer whose address changes within its network."""
    settings.TRUSTED_PROXIES = frozenset({"10.0.0.0/8", "2001:db8::/64"})

    def seen(remote, forwarded):
        return client_address.client_ip(rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded))

    assert seen("10.1.2.3", "198.51.100.7, 10.9.9.9") == "198.51.100.7"
    assert seen("2001:db8::5", "198.51.100.7") == "198.51.100.7"
    assert seen("11.0.0.1", "198.51.100.7") == "11.0.0.1"


def test_events_are_append_only(completed_report, doctor):
    api = APIClient()
    api.force_authenticate(doctor)
    api.get(f"/api/reports/generated/{completed_report.pk}/download/")
    event = ReportAccessEvent.objects.get()
    event.outcome = "DENIED"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        ReportAccessEvent.objects.update(outcome="DENIED")
    with pytest.raises(PermissionError):
        ReportAccessEvent.objects.all().delete()
    assert ReportAccessEvent.objects.get().outcome == "SERVED"


def test_admin_shows_events_read_only_even_to_superusers(completed_report, doctor, make_user):
    api = APIClient()
    api.force_authenticate(doctor)
    api.get(f"/api/reports/generated/{completed_report.pk}/download/")
    event = ReportAccessEvent.objects.get()
    superuser = make_user(superuser=True)
    superuser.is_staff = True
    superuser.save()
    browser = Client()
    browser.force_login(superuser)
    listing = browser.get("/admin/reports/reportaccessevent/?outcome__exact=SERVED")
    assert listing.status_code == 200
    assert "Download these as CSV" in listing.content.decode()
    assert browser.get("/admin/reports/reportaccessevent/add/").status_code == 403
    assert browser.post(f"/admin/reports/reportaccessevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    change = browser.post(f"/admin/reports/reportaccessevent/{event.pk}/change/", {"outcome": "DENIED"})
    assert change.status_code == 403
    assert ReportAccessEvent.objects.get().outcome == "SERVED"


def test_admin_downloads_the_filtered_events_as_csv(completed_report, make_report, doctor, make_user):
    api = APIClient()
    api.force_authenticate(doctor)
    api.get(f"/api/reports/generated/{completed_report.pk}/download/")
    api.get(f"/api/reports/generated/{make_report(doctor).pk}/download/")
    admin_user = make_user("ADMIN")
    admin_user.is_staff = True
    admin_user.save()
    browser = Client()
    browser.force_login(admin_user)
    response = browser.get("/admin/reports/reportaccessevent/download/?outcome__exact=NOT_READY")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["outcome"], row["username"]) for row in rows] == [("NOT_READY", "doctor")]
    api_admin = APIClient()
    api_admin.force_authenticate(admin_user)
    downloaded = api_admin.get("/api/reports/audit-events/download/?outcome=SERVED")
    assert downloaded["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(downloaded.streaming_content).decode())))
    assert [row["report_id"] for row in rows] == [str(completed_report.pk)]
    listed = api_admin.get("/api/reports/audit-events/?action=DOWNLOAD").json()
    assert listed["count"] == 2
    assert api_admin.get("/api/reports/audit-events/?outcome=BOGUS").status_code == 400


def test_csv_download_neutralises_formulas_in_user_agents(completed_report, doctor, make_user):
    api = APIClient()
    api.force_authenticate(doctor)
    api.get(f"/api/reports/generated/{completed_report.pk}/download/", HTTP_USER_AGENT='=HYPERLINK("http://x")')
    lines = "".join(audit.csv_lines(ReportAccessEvent.objects.all()))
    assert "'=HYPERLINK" in lines


def test_csv_download_quotes_user_agents_so_no_split_of_a_line_runs_a_formula(completed_report, doctor):
    api = APIClient()
    api.force_authenticate(doctor)
    for agent in ("ok;=1+1;@SUM(1)", "Agent\t=1+1", "Evil\u202eexe.gnp"):
        api.get(f"/api/reports/generated/{completed_report.pk}/download/", HTTP_USER_AGENT=agent)
    lines = "".join(audit.csv_lines(ReportAccessEvent.objects.order_by("id")))
    assert "\"ok;'=1+1;'@SUM(1)\"" in lines
    assert '"Agent\t\'=1+1"' in lines
    assert '"Evilexe.gnp"' in lines
    assert f',"DOWNLOAD","SERVED",200,{completed_report.pk},"",' in lines  # numbers bare, text quoted
    assert formula_cells(lines) == []
