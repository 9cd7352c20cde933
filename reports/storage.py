"""Report files on Cloudinary: private, streamed, and never waited on without a limit.

Files are uploaded as ``raw`` resources of delivery type ``authenticated`` (never the
public ``upload`` type) under the ``reports/`` folder, keeping the name the rest of the
code knows (``<report id>-<random token>.<ext>``). Reading one makes a short-lived
signed download (``cloudinary.utils.private_download_url`` with ``expires_at``) and
streams it in chunks into a spooled temporary file, with connect and read timeouts and
an overall deadline. Deleting destroys the resource (and its CDN copies).

Every failure raises ``StorageError`` (an ``OSError``) with a message that names the
operation and the reason, never a URL, a key or a signature.

django-cloudinary-storage is not used: its ``RawMediaCloudinaryStorage`` uploads public
files, reads whole files into memory without timeouts, checks existence through public
URLs and takes its credentials from its own settings, so every method it has would
have been overridden here.
"""

import tempfile
import time
from urllib.parse import parse_qsl, urlsplit

import cloudinary
import cloudinary.exceptions
import cloudinary.uploader
import cloudinary.utils
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import Storage
from django.core.files.utils import validate_file_name

# A downloaded file stays in memory up to this size, then spills to a temporary file.
SPOOL_BYTES = 1024 * 1024
CREDENTIALS = ("cloud_name", "api_key", "api_secret")


class StorageError(OSError):
    """A storage operation failed; the message is safe to log."""


class StorageTimeout(StorageError):
    """The storage did not answer within its timeouts."""


def sdk_options(url):
    """The options in a ``CLOUDINARY_URL`` (``cloudinary://KEY:SECRET@CLOUD?upload_prefix=...``)."""
    if not url:
        return {}
    parts = urlsplit(url)
    return {
        "cloud_name": parts.hostname,
        "api_key": parts.username,
        "api_secret": parts.password,
        **dict(parse_qsl(parts.query)),
    }


def failure(operation, error):
    """A StorageError for ``error``, named by its class only: its text may hold a signed URL."""
    cause = error
    if type(error) is cloudinary.exceptions.Error and error.__context__ is not None:
        cause = error.__context__  # the SDK wraps network errors in a plain Error
    if isinstance(cause, urllib3.exceptions.MaxRetryError) and cause.reason is not None:
        cause = cause.reason
    kind = StorageTimeout if isinstance(cause, urllib3.exceptions.TimeoutError | TimeoutError) else StorageError
    return kind(f"Cloudinary {operation} failed: {type(cause).__name__}")


class CloudinaryStorage(Storage):
    """The ``reports`` storage when Cloudinary is configured (see ``uscpis/settings.py``).

    Limits left out take the ``REPORT_STORAGE_*`` settings.
    """

    resource = {"resource_type": "raw", "type": "authenticated"}

    def __init__(
        self,
        url="",
        cloud_name="",
        api_key="",
        api_secret="",
        upload_prefix="",
        folder="reports",
        connect_timeout=None,
        read_timeout=None,
        download_seconds=None,
        link_seconds=None,
        chunk_size=64 * 1024,
    ):
        explicit = {"cloud_name": cloud_name, "api_key": api_key, "api_secret": api_secret}
        self.options = {**sdk_options(url), **{key: value for key, value in explicit.items() if value}}
        if upload_prefix:
            self.options["upload_prefix"] = upload_prefix
        missing = [key for key in CREDENTIALS if not self.options.get(key)]
        if missing:
            raise ImproperlyConfigured(f"The Cloudinary configuration lacks {', '.join(missing)}")
        self.folder = folder.strip("/")
        self.timeout = urllib3.Timeout(
            connect=settings.REPORT_STORAGE_CONNECT_TIMEOUT if connect_timeout is None else connect_timeout,
            read=settings.REPORT_STORAGE_READ_TIMEOUT if read_timeout is None else read_timeout,
        )
        self.download_seconds = (
            settings.REPORT_STORAGE_DOWNLOAD_SECONDS if download_seconds is None else download_seconds
        )
        self.link_seconds = settings.REPORT_STORAGE_LINK_SECONDS if link_seconds is None else link_seconds
        self.chunk_size = chunk_size
        self._http = None

    def public_id(self, name):
        return f"{self.folder}/{name}"

    def _call_options(self):
        return {**self.options, **self.resource, "timeout": self.timeout}

    def get_available_name(self, name, max_length=None):
        """Names carry a random token: an upload under an existing name replaces it (retries rely on that)."""
        validate_file_name(name, allow_relative_path=True)
        if max_length is not None and len(name) > max_length:
            raise SuspiciousFileOperation(f"Storage name is longer than {max_length} characters")
        return name

    def _save(self, name, content):
        content.seek(0)
        data = content.read()
        public_id = self.public_id(name)
        try:
            result = cloudinary.uploader.upload(
                (name, data), public_id=public_id, overwrite=True, **self._call_options()
            )
        except (cloudinary.exceptions.Error, urllib3.exceptions.HTTPError, OSError) as error:
            raise failure("upload", error) from None
        stored = (result.get("public_id"), result.get("type"), result.get("bytes"))
        if stored != (public_id, self.resource["type"], len(data)):
            raise StorageError("Cloudinary upload failed: the stored resource is not the private file that was sent")
        return name

    def _open(self, name, mode="rb"):
        url = cloudinary.utils.private_download_url(
            self.public_id(name), "", expires_at=int(time.time()) + self.link_seconds, **self.options, **self.resource
        )
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        try:
            self._download(url, spool)
        except StorageError:
            spool.close()
            raise
        except (urllib3.exceptions.HTTPError, OSError) as error:
            spool.close()
            raise failure("download", error) from None
        spool.seek(0)
        return File(spool, name=name)

    def _download(self, url, spool):
        deadline = time.monotonic() + self.download_seconds
        response = self._pool().request("GET", url, preload_content=False, timeout=self.timeout)
        try:
            if response.status != 200:
                raise StorageError(f"Cloudinary download failed: HTTP {response.status}")
            for chunk in response.stream(self.chunk_size):
                spool.write(chunk)
                if time.monotonic() > deadline:
                    raise StorageTimeout(f"Cloudinary download failed: not done within {self.download_seconds}s")
        except BaseException:
            response.close()  # a half-read connection is not reused
            raise
        response.release_conn()

    def _pool(self):
        if self._http is None:
            # The SDK's own connector (it honours the SDK's api_proxy); a failed read is not retried
            # here: the next download tier is tried instead.
            retries = urllib3.Retry(total=None, connect=0, read=0, status=0, other=0, redirect=3)
            self._http = cloudinary.utils.get_http_connector(
                cloudinary.config(), {**cloudinary.CERT_KWARGS, "retries": retries}
            )
        return self._http

    def delete(self, name):
        try:
            result = cloudinary.uploader.destroy(self.public_id(name), invalidate=True, **self._call_options())
        except (cloudinary.exceptions.Error, urllib3.exceptions.HTTPError, OSError) as error:
            raise failure("delete", error) from None
        if result.get("result") not in {"ok", "not found"}:
            raise StorageError("Cloudinary delete failed: unexpected answer")
