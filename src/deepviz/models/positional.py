"""The sinusoidal positional encoding of "Attention is all you need" (Vaswani et al., 2017), in torch.

    PE(pos, 2i)     = sin(pos / 10000^(2i / d))
    PE(pos, 2i + 1) = cos(pos / 10000^(2i / d))

Pair i turns at the angular frequency w_i = 10000^(-2i / d): its wavelength 2*pi / w_i grows from 2*pi
to 10000 * 2*pi across the pairs.
"""
from __future__ import annotations

import torch

BASE = 10000.0


def frequencies(d: int) -> torch.Tensor:
    """w_i = BASE^(-2i/d), one per (sin, cos) pair (d // 2 of them; an odd d's last column is a sine)."""
    return BASE ** (-torch.arange(0, d, 2, dtype=torch.float32) / d)


def sinusoidal(n: int, d: int) -> torch.Tensor:
    """PE for positions 0..n-1: (n, d)."""
    angles = torch.arange(n, dtype=torch.float32)[:, None] * frequencies(d)[None, :]
    pe = torch.zeros(n, d)
    pe[:, 0::2] = torch.sin(angles)
    pe[:, 1::2] = torch.cos(angles[:, : d // 2])
    return pe
