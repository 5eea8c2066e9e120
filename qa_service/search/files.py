"""Files the search layer writes and checks: checksums, JSON, and whole directories written
atomically (the converted model, the ONNX export), with temporary leftovers of killed runs
cleaned up."""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_atomically(dest: Path, fill: Callable[[Path], None], *, complete: Callable[[Path], bool]) -> Path:
    """Let ``fill`` write a temporary sibling of ``dest``, then rename it into place.

    An interrupted run leaves no half-written directory; an older ``dest`` is replaced only
    after the new one is complete. If another process finished the same directory meanwhile
    (``complete(dest)``), its copy is kept.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_dirs(dest)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; models and exports are not secrets
        fill(tmp)
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
            dest.rename(old / dest.name)
            shutil.rmtree(old, ignore_errors=True)
        try:
            tmp.rename(dest)
        except OSError:
            if not complete(dest):
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def remove_stale_temp_dirs(dest: Path, max_age_s: float = 3600.0) -> None:
    """Delete temporary directories left by runs that were killed (a kill skips cleanup)."""
    for leftover in dest.parent.glob(f".{dest.name}.*"):
        try:
            if leftover.is_dir() and time.time() - leftover.stat().st_mtime > max_age_s:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            pass
