"""Downloading a report: its file from the first of four tiers that has it whole, or its document.

Tiers 1-3 are the storages of ``reports.tiers`` (the configured storage, the worker's local
copy, the media folder); each serves the file only once its size and SHA-256 match what was
recorded when it was generated, so a client never gets a partial or altered file. Tier 4,
``rebuild``, renders the file again from the report's stored document. A tier that fails is
logged with the report id, the tier and the reason, and the next one is tried.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from reports import file_deletions, renderers, tiers
from reports.document import ReportDocument
from reports.models import GeneratedReport, ReportStatus
from reports.periods import local_zone
from reports.services.generating import build_document, render
from reports.storage import StorageTimeout

logger = logging.getLogger(__name__)

REBUILD = "rebuild"
REBUILT_NOTE = (
    "This file was rebuilt on {today} from the report's parameters, because the original file "
    "and its stored figures were lost. The figures are those of the clinic records as they are now: "
    "the records carry no entry time, so any record dated within the period but entered after the "
    "original generation on {original} is counted."
)


class ReportNotReady(Exception):
    """The report has no file to serve yet."""


class ReportExpired(Exception):
    """The report's retention has ended."""


class ReportUnavailable(Exception):
    """No tier could serve the report's file; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after):
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass
class ReportFile:
    """A whole, verified report file ready to stream, and the tier that served it."""

    file: object
    size: int
    content_type: str
    filename: str
    tier: str


def download_filename(report, extension):
    """``<title-slug>_<YYYY-MM-DD>.<ext>``: ASCII, no path segments, nothing to inject."""
    day = timezone.localtime(report.completed_at or report.created_at, local_zone()).date()
    slug = slugify(report.title)[:80].strip("-_") or "report"
    return f"{slug}_{day:%Y-%m-%d}.{extension}"


def open_report_file(report):
    """Open a completed report's file for download, from the first tier that has it whole; count it.

    Raises ReportExpired, ReportNotReady, or ReportUnavailable when no tier could serve it.
    """
    served = report_file(report)
    GeneratedReport.objects.filter(pk=report.pk).update(download_count=F("download_count") + 1)
    return served


def report_file(report):
    """A completed report's file from the first tier that has it whole, not counted as a download (a mail's
    attachment). Raises as ``open_report_file`` does."""
    if report.is_expired:
        raise ReportExpired
    if report.status != ReportStatus.COMPLETED:
        raise ReportNotReady
    served, storage_answered = _open_stored(report) if report.file.name else (None, True)
    if served is None:
        try:
            served = _rebuild(report, store_again=storage_answered)
        except Exception:
            logger.exception("Report %s: tier rebuild failed; no tier could serve the file", report.pk)
            raise ReportUnavailable(settings.REPORT_DOWNLOAD_RETRY_AFTER) from None
    return served


def report_document(report):
    """The stored document of a completed report, to preview it (ReportExpired / ReportNotReady otherwise)."""
    if report.is_expired:
        raise ReportExpired
    if report.status != ReportStatus.COMPLETED or not report.document:
        raise ReportNotReady
    return ReportDocument.from_dict(report.document)


def _served(report, file, size, tier):
    file_type = renderers.FILE_TYPES[report.export_format]
    return ReportFile(
        file=file,
        size=size,
        content_type=file_type.content_type,
        filename=download_filename(report, file_type.extension),
        tier=tier,
    )


def _open_stored(report):
    """Tiers 1-3: the report's file from the first that has it whole, or None.

    Also says whether the configured storage answered in time (so that storing a rebuilt
    file there again is worth a try): returns (ReportFile or None, storage_answered).
    """
    storage_answered = True
    for tier, storage in tiers.stored_tiers():
        try:
            handle = storage.open(report.file.name, "rb")
        except Exception as error:  # whatever a tier does wrong, the next one is tried
            if tier == tiers.STORAGE and isinstance(error, StorageTimeout):
                storage_answered = False
            logger.warning("Report %s: tier %s could not open its file: %s", report.pk, tier, tiers.reason(error))
            continue
        try:
            size = tiers.verify(handle, report.file_size, report.checksum)
        except Exception as error:
            handle.close()
            logger.warning("Report %s: tier %s has a bad copy: %s", report.pk, tier, tiers.reason(error))
            continue
        return _served(report, handle, size, tier), storage_answered
    return None, storage_answered


def _rebuild(report, store_again):
    """Tier 4: render the file again from the report's stored document (the same numbers).

    A report without a stored document is computed again from its parameters, and its file
    says so. The rebuilt file is stored again (unless the storage just failed to answer in
    time, so the download does not wait on it twice) so that the next download is served by
    tier 1.
    """
    if report.document:
        document = ReportDocument.from_dict(report.document)
    else:
        document = build_document(report)
        original = timezone.localtime(report.completed_at or report.created_at, local_zone())
        today = timezone.localdate(timezone=local_zone())
        document.notes.append(REBUILT_NOTE.format(today=f"{today:%Y-%m-%d}", original=f"{original:%Y-%m-%d %H:%M}"))
    content, renderer = render(document, report.export_format)
    if store_again:
        _store_rebuilt(report, document, tiers.StoredFile.new(report, content, renderer.EXTENSION), content)
    return _served(report, ContentFile(content), len(content), REBUILD)


def _store_rebuilt(report, document, stored, content):
    try:
        tiers.store(stored.name, content, attempts=1)
    except tiers.StorageUnavailable:
        logger.warning("Report %s: the rebuilt file could not be stored again; it is served anyway", report.pk)
        return
    changes = {"file": stored.name, "file_size": stored.size, "checksum": stored.checksum}
    if not report.document:
        changes["document"] = document.as_dict()
    lost = report.file.name
    if GeneratedReport.objects.filter(pk=report.pk, status=ReportStatus.COMPLETED, file=lost).update(**changes):
        file_deletions.discard(lost)
    else:  # the report changed meanwhile (deleted, expired or rebuilt by another download)
        file_deletions.discard(stored.name)
