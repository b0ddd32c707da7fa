"""Tiny models trained at first use and cached: one place for the cache key, the atomic save and the retrain.

A model is built by ``build()`` (seeded inside), trained in place by ``fit(model)`` and saved as its
``state_dict`` under ``cache_dir("models")/NAME-KEY.pt``. The key hashes ``key`` (the data, the
configuration, the caller's model version) with torch's version. A file that is missing, truncated,
corrupt or holds other shapes is retrained and replaced; files appear atomically, so processes
sharing the cache never read half a file, and one process trains a model while the others that want it
wait for its file (the test run's workers share one cache: each model trains once per run).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import torch
from torch import nn

from ..cache import cache_dir

M = TypeVar("M", bound=nn.Module)


def cache_path(name: str, key: object):
    raw = repr((key, torch.__version__.split("+")[0])).encode()
    return cache_dir("models") / f"{name}-{hashlib.sha256(raw).hexdigest()[:20]}.pt"


def trained(name: str, key: object, build: Callable[[], M], fit: Callable[[M], None]) -> tuple[M, bool]:
    """The model of ``build()`` with trained weights (cached or trained now) and whether it was trained now."""
    path = cache_path(name, key)
    model = build()
    if _load(model, path):
        return model.eval(), False
    with _training(path):
        if _load(model, path):  # another process trained it while this one waited
            return model.eval(), False
        with torch.enable_grad():  # callers may run under no_grad
            fit(model)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(fd)
        try:
            torch.save(model.state_dict(), tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return model.eval(), True


def _load(model: nn.Module, path: Path) -> bool:
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - missing, truncated or corrupt: train again
        return False
    # checked before loading: load_state_dict copies the tensors that fit before it fails on the first that
    # does not, which would leave a stale file's weights in a model that then trains from them
    wanted = {k: v.shape for k, v in model.state_dict().items()}
    if not isinstance(saved, dict) or {k: getattr(v, "shape", None) for k, v in saved.items()} != wanted:
        return False
    model.load_state_dict(saved)
    return True


@contextlib.contextmanager
def _training(path: Path) -> Iterator[None]:
    """Held while this process trains the model of ``path``: others wait, then load its file. The lock file
    goes when the training ends (a process still waiting holds it open; one that comes later finds the model)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: each process trains its own (still safe: the file appears whole)
        yield
        return
    lock = path.with_name(f".{path.name}.lock")
    with open(lock, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)
