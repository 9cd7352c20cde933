"""Where report files are kept, and how a download finds one: four tiers, tried in order.

1. ``storage``: the configured ``reports`` storage (Cloudinary, or local files);
2. ``local_copy``: the worker's write-through copy under ``REPORT_LOCAL_COPY_DIR``;
3. ``media``: ``REPORT_MEDIA_DIR`` by the stored name (files written before a storage switch);
4. ``rebuild``: the file rendered again from the report's stored document (``services``).

Tiers 1-3 serve a file only once its size and SHA-256 match what was recorded when it was
generated, so a client never gets a partial or altered file. A tier that fails is logged
with the report id, the tier and the reason (never a URL, a secret or patient data) and
the next one is tried.
"""

import hashlib
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile

from reports.local_storage import PrivateFileSystemStorage, private_folder, write_private
from reports.models import reports_storage
from reports.storage import StorageTimeout

logger = logging.getLogger(__name__)

STORAGE, LOCAL_COPY, MEDIA, REBUILD = "storage", "local_copy", "media", "rebuild"
CHUNK_BYTES = 64 * 1024


class StorageUnavailable(Exception):
    """Every attempt to store a file failed."""


class FileUnavailable(Exception):
    """No tier could serve the file."""


class IntegrityMismatch(Exception):
    """A stored file is not the one that was generated (cut short or altered)."""


@dataclass
class Served:
    """A whole, verified file and the tier that served it."""

    file: object
    size: int
    tier: str


def local_copies():
    return PrivateFileSystemStorage(location=settings.REPORT_LOCAL_COPY_DIR)


def media_files():
    return PrivateFileSystemStorage(location=settings.REPORT_MEDIA_DIR)


def stored_tiers():
    """(tier, storage) for the tiers that hold files, in download order."""
    return ((STORAGE, reports_storage()), (LOCAL_COPY, local_copies()), (MEDIA, media_files()))


def reason(error):
    """A short, safe reason: storage errors word their own; others are named by class."""
    if isinstance(error, OSError):
        return error.strerror or str(error) or type(error).__name__
    return str(error) if isinstance(error, IntegrityMismatch) else type(error).__name__


def store(name, content, *, attempts=None, before_retry=None):
    """Save ``content`` as ``name`` in the reports storage, then keep a local copy of it.

    A failed attempt is retried under the same name after a wait that doubles each time
    (``REPORT_STORE_BACKOFF_SECONDS``, then twice that, ...), up to ``attempts``
    (``REPORT_STORE_ATTEMPTS``); ``before_retry`` runs before each wait. Raises
    StorageUnavailable when every attempt failed.
    """
    attempts = attempts or settings.REPORT_STORE_ATTEMPTS
    storage = reports_storage()
    for attempt in range(1, attempts + 1):
        try:
            storage.save(name, ContentFile(content))
            break
        except OSError as error:
            logger.warning("Storing %s failed (attempt %d of %d): %s", name, attempt, attempts, reason(error))
            if attempt == attempts:
                raise StorageUnavailable(name) from None
            _delete_quietly(storage, name)  # a half-written file under this name must not stay
            if before_retry:
                before_retry()
            time.sleep(settings.REPORT_STORE_BACKOFF_SECONDS * 2 ** (attempt - 1))
    keep_local_copy(name, content)
    return name


def _delete_quietly(storage, name):
    try:
        storage.delete(name)
    except OSError as error:
        logger.warning("Could not remove the partly stored %s: %s", name, reason(error))


def keep_local_copy(name, content):
    """Tier 2: write a copy under ``REPORT_LOCAL_COPY_DIR`` where the disk allows it. True if written."""
    copies = local_copies()
    try:
        folder = Path(copies.location)
        private_folder(folder)
        free = shutil.disk_usage(folder).free - len(content)
        if free < settings.REPORT_LOCAL_COPY_MIN_FREE_MB * 1024 * 1024:
            logger.warning("No local copy of %s: less than %d MB of disk would stay free", name, free // 2**20)
            return False
        target = Path(copies.path(name))
        partial = target.with_name(f".{target.name}.partial")
        write_private(partial, content)
        os.replace(partial, target)  # atomic: a reader never sees half a copy
        return True
    except OSError as error:
        logger.warning("No local copy of %s: %s", name, reason(error))
        return False


def verify(handle, size, checksum):
    """Read ``handle`` through, check its size and SHA-256, rewind it and return its size."""
    digest = hashlib.sha256()
    read = 0
    for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
        read += len(chunk)
        digest.update(chunk)
    if size is not None and read != size:
        raise IntegrityMismatch(f"{read} bytes instead of {size}")
    if checksum and digest.hexdigest() != checksum:
        raise IntegrityMismatch("the SHA-256 checksum differs")
    handle.seek(0)
    return read


def open_stored(report):
    """The report's file from the first of tiers 1-3 that has it whole, or None.

    Also says whether the configured storage answered in time (so that storing a rebuilt
    file there again is worth a try): returns (Served or None, storage_answered).
    """
    storage_answered = True
    for tier, storage in stored_tiers():
        try:
            handle = storage.open(report.file.name, "rb")
        except Exception as error:  # whatever a tier does wrong, the next one is tried
            if tier == STORAGE and isinstance(error, StorageTimeout):
                storage_answered = False
            logger.warning("Report %s: tier %s could not open its file: %s", report.pk, tier, reason(error))
            continue
        try:
            size = verify(handle, report.file_size, report.checksum)
        except Exception as error:
            handle.close()
            logger.warning("Report %s: tier %s has a bad copy: %s", report.pk, tier, reason(error))
            continue
        return Served(file=handle, size=size, tier=tier), storage_answered
    return None, storage_answered


def deliver(report, rebuild):
    """The report's file from the first tier that has it (tiers 1-3, then ``rebuild``).

    ``rebuild(report, store_again)`` is tier 4; ``store_again`` is False when the storage
    did not answer in time, so the download does not wait on it twice. Raises
    FileUnavailable when every tier failed.
    """
    served, storage_answered = open_stored(report) if report.file.name else (None, True)
    if served is not None:
        return served
    try:
        return rebuild(report, store_again=storage_answered)
    except Exception:
        logger.exception("Report %s: tier rebuild failed; no tier could serve the file", report.pk)
        raise FileUnavailable from None


def delete_everywhere(name):
    """Delete a report file from every tier; returns the tiers where that failed (the rest are done)."""
    failed = []
    for tier, storage in stored_tiers():
        try:
            storage.delete(name)
        except Exception as error:
            logger.warning("Could not delete %s from tier %s: %s", name, tier, reason(error))
            failed.append(tier)
    return failed
