"""Writing an output file the safe way: whole or not at all, and never through a symlink
unless asked.

``render -o`` overwrites files that other tools read (CI diffs them, deploy uploads
them). Writing in place leaves a truncated file behind when the process dies halfway, and
following a symlink planted where the output goes writes somewhere the user never named.
So the text goes to a temporary file in the same directory (same filesystem, so the
rename is atomic), is flushed to disk, and replaces the destination in one ``rename``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class SymlinkRefused(OSError):
    """The destination is a symbolic link and following it was not allowed."""


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, text: str, *, follow_symlinks: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; return the file actually written.

    Args:
        path: the destination.
        text: the content.
        follow_symlinks: when ``path`` is a symbolic link, replace the file it points to
            (the link stays); otherwise refuse.

    Raises:
        SymlinkRefused: ``path`` is a symlink and ``follow_symlinks`` is false.
        OSError: the directory is missing or not writable, or the disk is full; the
            destination is then untouched.
    """
    if path.is_symlink():
        if not follow_symlinks:
            raise SymlinkRefused(
                f"{path} is a symbolic link (to {os.readlink(path)}); refusing to write "
                "through it (pass --follow-symlinks to replace the file it points to)"
            )
        path = Path(os.path.realpath(path))
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_current_umask()
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path


__all__ = ["SymlinkRefused", "write_atomically"]
