"""Where report files are kept, and how they are stored, checked and deleted there.

The first three tiers a download tries (``reports.services.downloading`` adds the fourth,
the rebuild):

1. ``storage``: the configured ``reports`` storage (Cloudinary, or local files);
2. ``local_copy``: the worker's write-through copy under ``REPORT_LOCAL_COPY_DIR``;
3. ``media``: ``REPORT_MEDIA_DIR`` by the stored name (files written before a storage switch).

A report records its file's name, size and SHA-256 (``StoredFile``); a tier's copy is served
only when they match (``verify``). Failures are logged with a short reason (never a URL, a
secret or patient data).
"""

import hashlib
import logging
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile

from reports.local_storage import PrivateFileSystemStorage, private_folder, write_private
from reports.models import reports_storage

logger = logging.getLogger(__name__)

STORAGE, LOCAL_COPY, MEDIA = "storage", "local_copy", "media"
CHUNK_BYTES = 64 * 1024


class StorageUnavailable(Exception):
    """Every attempt to store a file failed."""


class IntegrityMismatch(Exception):
    """A stored file is not the one that was generated (cut short or altered)."""


@dataclass(frozen=True)
class StoredFile:
    """A report file as its report records it: its storage name, size and SHA-256."""

    name: str
    size: int
    checksum: str

    @classmethod
    def new(cls, report, content, extension):
        """``content`` as a new file of ``report``, named ``<report id>-<random token>.<extension>``."""
        size, checksum = fingerprint([content])
        return cls(name=f"{report.pk}-{secrets.token_hex(8)}.{extension}", size=size, checksum=checksum)


def fingerprint(chunks):
    """(size, SHA-256 hex digest) of a file's bytes, given in chunks."""
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        size += len(chunk)
        digest.update(chunk)
    return size, digest.hexdigest()


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
    read, digest = fingerprint(iter(lambda: handle.read(CHUNK_BYTES), b""))
    if size is not None and read != size:
        raise IntegrityMismatch(f"{read} bytes instead of {size}")
    if checksum and digest != checksum:
        raise IntegrityMismatch("the SHA-256 checksum differs")
    handle.seek(0)
    return read


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
