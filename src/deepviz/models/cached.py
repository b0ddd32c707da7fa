"""Tiny models trained at first use and cached: one place for the cache key, the atomic save and the retrain.

A model is built by ``build()`` (seeded inside), trained in place by ``fit(model)`` and saved as its
``state_dict`` under ``cache_dir("models")/NAME-KEY.pt``. The key hashes ``key`` (the data, the
configuration, the caller's model version) with torch's version. A file that is missing, truncated,
corrupt or holds other shapes is retrained and replaced; files appear atomically, so processes
sharing the cache never read half a file.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from typing import Callable, TypeVar

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
    try:
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        return model.eval(), False
    except Exception:  # noqa: BLE001 - missing, truncated, corrupt or stale: train again
        pass
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
