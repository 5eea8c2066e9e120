"""The one place where a file-system failure becomes one line naming the path and the fix.

Every command (index, ask, serve, eval, passages, and any added later) runs inside ``main``,
which hands an ``OSError`` (or a library error caused by one) to ``describe_os_error``.
"""
from __future__ import annotations

import errno
import os
import pwd
from pathlib import Path

_WHO = "the user running qa-service"
_PERMISSION = ("permission denied",
               "let {who} ({user}) read it — and, for the index folder, write it (chmod/chown) — "
               "or point --corpus-dir/--index-dir somewhere it can")
_FULL = ("no space left on the device", "free some space (old index/build-* folders can go) and run it again")
_PROBLEMS: dict[int, tuple[str, str]] = {
    errno.EACCES: _PERMISSION,
    errno.EPERM: _PERMISSION,
    errno.ENOENT: ("does not exist", "create it, or correct --corpus-dir/--index-dir"),
    errno.ENOTDIR: ("a folder was expected, but part of the path is a file",
                    "move the file out of the way, or correct --corpus-dir/--index-dir"),
    errno.EISDIR: ("is a folder where a file was expected", "move the folder out of the way"),
    errno.ENOSPC: _FULL,
    errno.EDQUOT: ("disk quota exceeded", "free some space or raise the quota, and run it again"),
    errno.EROFS: ("read-only file system", "point --index-dir at a writable folder"),
    errno.ELOOP: ("too many levels of symbolic links", "fix the symbolic link"),
    errno.ENAMETOOLONG: ("file name too long", "use a shorter path"),
    errno.EMFILE: ("too many open files", "raise the limit (ulimit -n) and run it again"),
    errno.EIO: ("input/output error", "check the disk (dmesg) and run it again"),
}


def _user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # pragma: no cover - a uid without a passwd entry (containers)
        return f"uid {os.geteuid()}"


def describe_os_error(exc: OSError, *, near: Path | None = None) -> str:
    """One line: the path, what is wrong with it, and how to fix it.

    Args:
        exc: the error; its ``filename`` is the path when the system call named one.
        near: the folder the command was writing to, named when the error has no path
            (a full disk fails ``write()``, which knows no file name).
    """
    what, fix = _PROBLEMS.get(exc.errno or 0, (exc.strerror or str(exc) or type(exc).__name__,
                                                "check the path and run it again"))
    fix = fix.format(who=_WHO, user=_user())
    if exc.filename is not None:
        where = os.fsdecode(exc.filename)
        if exc.filename2 is not None:
            where += f" -> {os.fsdecode(exc.filename2)}"
    elif near is not None:
        where = f"writing under {near}"
    else:
        where = "file system"
    return f"{where}: {what}; fix: {fix}"


def os_error_behind(exc: BaseException) -> OSError | None:
    """The OSError behind a corpus error (``cannot read …``), so it gets the same one line."""
    cause = exc.__cause__
    return cause if isinstance(cause, OSError) and cause.filename is not None else None
