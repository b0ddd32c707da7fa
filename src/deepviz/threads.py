"""One torch thread for work on tiny tensors.

Splitting each small operation over threads costs more than it saves: training the attention
model measured 5x slower on two threads (10.1 s against 2.0 s for 60 epochs), and the
playground's circle training 23x slower on a busy machine (62.6 s against 2.7 s).
"""
from __future__ import annotations

import contextlib


@contextlib.contextmanager
def one_thread():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
