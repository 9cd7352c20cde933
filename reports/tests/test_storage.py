"""The Cloudinary storage, through the real ``cloudinary`` client, against the local stand-in."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from reports.storage import CloudinaryStorage, StorageError, StorageTimeout
from tests.cloudinary_standin import MODES, CloudinaryStandIn

ROOT = Path(__file__).resolve().parents[2]
CONTENT = bytes(range(256)) * 5000 + b"\r\n--boundary-like\r\n"  # binary, larger than the in-memory spool


@pytest.fixture
def cloud():
    with CloudinaryStandIn(slow_seconds=1.0) as standin:
        yield standin


@pytest.fixture
def storage(cloud):
    return CloudinaryStorage(url=cloud.url, connect_timeout=0.5, read_timeout=0.3)


def test_a_file_is_uploaded_privately_as_raw_under_reports(cloud, storage):
    assert storage.save("7-0123abcd.pdf", ContentFile(CONTENT)) == "7-0123abcd.pdf"
    assert cloud.names() == ["reports/7-0123abcd.pdf"]
    assert cloud.files[("raw", "authenticated", "reports/7-0123abcd.pdf")] == CONTENT
    assert cloud.names("raw", "upload") == []  # never the public delivery type


def test_a_file_is_read_back_through_a_signed_download_spooled_to_disk(cloud, storage):
    storage.save("7-0123abcd.pdf", ContentFile(CONTENT))
    with storage.open("7-0123abcd.pdf") as handle:
        assert handle.read() == CONTENT
        assert handle.file._rolled  # past the spool size the body went to a temporary file, not memory
    assert cloud.calls("download") == [("download", "reports/7-0123abcd.pdf", "ok")]


def test_an_expired_download_link_is_refused(cloud, storage):
    storage.save("7-0123abcd.pdf", ContentFile(CONTENT))
    expired = CloudinaryStorage(url=cloud.url, read_timeout=0.3, link_seconds=-5)
    with pytest.raises(StorageError, match="HTTP 401"):
        expired.open("7-0123abcd.pdf")


def test_wrong_credentials_are_refused_on_every_operation(cloud, storage):
    storage.save("7-0123abcd.pdf", ContentFile(CONTENT))
    wrong = CloudinaryStorage(url=cloud.url.replace(cloud.api_secret, "not-the-secret"), read_timeout=0.3)
    with pytest.raises(StorageError, match="AuthorizationRequired"):
        wrong.save("8-0123abcd.pdf", ContentFile(b"x"))
    with pytest.raises(StorageError, match="HTTP 401"):
        wrong.open("7-0123abcd.pdf")
    with pytest.raises(StorageError):
        wrong.delete("7-0123abcd.pdf")
    assert cloud.names() == ["reports/7-0123abcd.pdf"]


def test_delete_destroys_the_resource_and_is_idempotent(cloud, storage):
    storage.save("7-0123abcd.pdf", ContentFile(CONTENT))
    storage.delete("7-0123abcd.pdf")
    storage.delete("7-0123abcd.pdf")  # "not found" is not an error
    assert cloud.names() == []
    with pytest.raises(StorageError, match="HTTP 404"):
        storage.open("7-0123abcd.pdf")


@pytest.mark.parametrize("mode", [mode for mode in MODES if mode != "hold"])
def test_each_failure_mode_fails_a_download_with_a_safe_message(cloud, storage, mode):
    storage.save("7-0123abcd.pdf", ContentFile(CONTENT))
    cloud.fail("download", mode)
    if mode == "corrupt":  # the storage cannot tell; the download tiers check the checksum
        with storage.open("7-0123abcd.pdf") as handle:
            assert len(handle.read()) == len(CONTENT)
        return
    with pytest.raises(StorageTimeout if mode == "slow" else StorageError) as error:
        storage.open("7-0123abcd.pdf")
    message = str(error.value)
    assert message.startswith("Cloudinary download failed")
    assert cloud.api_key not in message and "signature" not in message and "http" not in message


@pytest.mark.parametrize("mode", [mode for mode in MODES if mode != "hold"])
def test_each_failure_mode_fails_an_upload_with_a_safe_message(cloud, storage, mode):
    cloud.fail("upload", mode)
    with pytest.raises(StorageTimeout if mode == "slow" else StorageError) as error:
        storage.save("7-0123abcd.pdf", ContentFile(CONTENT))
    message = str(error.value)
    assert message.startswith("Cloudinary upload failed")
    assert cloud.api_key not in message and cloud.api_secret not in message


def test_a_download_slower_than_its_deadline_is_abandoned(cloud):
    patient = CloudinaryStorage(url=cloud.url, read_timeout=5, download_seconds=0)
    patient.save("7-0123abcd.pdf", ContentFile(CONTENT))
    with pytest.raises(StorageTimeout, match="not done within"):
        patient.open("7-0123abcd.pdf")


def reports_storage_in_a_fresh_process(**env):
    """(exit code, output) of loading the settings with only ``env`` among the Cloudinary variables."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("CLOUDINARY_")}
    script = (
        "import django; django.setup()\n"
        "from reports.models import reports_storage\n"
        "storage = reports_storage()\n"
        "print(type(storage).__name__, getattr(storage, 'options', {}).get('upload_prefix'), "
        "getattr(storage, 'location', ''))\n"
    )
    with tempfile.TemporaryDirectory() as media:
        result = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**clean, "DJANGO_SETTINGS_MODULE": "uscpis.settings", "MEDIA_ROOT": media, **env},
            capture_output=True,
            text=True,
        )
        return result.returncode, (result.stdout + result.stderr).replace(media, "MEDIA_ROOT")


def test_settings_choose_local_files_without_cloudinary_configuration():
    assert reports_storage_in_a_fresh_process() == (0, "PrivateFileSystemStorage None MEDIA_ROOT/reports\n")


def test_settings_choose_cloudinary_from_the_sdk_url_with_its_query_parameters():
    url = "cloudinary://481516:secret@clinic?upload_prefix=http://127.0.0.1:9"
    assert reports_storage_in_a_fresh_process(CLOUDINARY_URL=url) == (0, "CloudinaryStorage http://127.0.0.1:9 \n")


def test_settings_choose_cloudinary_from_the_three_variables():
    code, output = reports_storage_in_a_fresh_process(
        CLOUDINARY_CLOUD_NAME="clinic", CLOUDINARY_API_KEY="481516", CLOUDINARY_API_SECRET="secret"
    )
    assert (code, output) == (0, "CloudinaryStorage None \n")


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"CLOUDINARY_URL": "https://481516:secret@clinic"}, "CLOUDINARY_URL must look like cloudinary://"),
        ({"CLOUDINARY_CLOUD_NAME": "clinic", "CLOUDINARY_API_KEY": "481516"}, "Set all of CLOUDINARY_CLOUD_NAME"),
    ],
)
def test_settings_refuse_an_incomplete_cloudinary_configuration(env, complaint):
    code, output = reports_storage_in_a_fresh_process(**env)
    assert code != 0
    assert complaint in output
