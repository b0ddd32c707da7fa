"""The user's cache directory for what deepviz can rebuild: compiled LaTeX, trained tiny models.

``$DEEPVIZ_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/deepviz``, else ``~/.cache/deepviz``.
Everything in it may be deleted at any time; files appear atomically (written under a private
name, then renamed), so processes sharing the cache never read a half-written file.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def cache_dir(kind: str) -> Path:
    root = os.environ.get("DEEPVIZ_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "deepviz"
    path = Path(root) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def publish(src: Path, dest: Path) -> Path:
    """Copy ``src`` to ``dest`` atomically (another process sees all of it or nothing)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest
