"""Report files on local disk: readable by this system's user only (files 0600, folders 0700), whatever the umask."""

import os
import stat
from pathlib import Path

from django.core.files.storage import FileSystemStorage

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path):
    """Create ``path`` (and missing parents) if needed, and make ``path`` itself 0700."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    if stat.S_IMODE(folder.stat().st_mode) != FOLDER_MODE:
        folder.chmod(FOLDER_MODE)


def write_private(path, content):
    """Write ``content`` to ``path`` as a file only this system's user may read (0600)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), FILE_MODE)  # a file left over from before may have had another mode
        file.write(content)


class PrivateFileSystemStorage(FileSystemStorage):
    """A FileSystemStorage writing files 0600 in folders 0700, never serving them by URL."""

    def __init__(self, location=None):
        super().__init__(
            location=location,
            base_url=None,
            file_permissions_mode=FILE_MODE,
            directory_permissions_mode=FOLDER_MODE,
        )

    def _save(self, name, content):
        private_folder(self.location)  # also a folder created before, with a wider mode
        return super()._save(name, content)
