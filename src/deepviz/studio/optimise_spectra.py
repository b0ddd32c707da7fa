"""The quadratic's spectral views on the optimiser page, as in Distill's "Why Momentum Really Works".

On ``f(w) = ½ wᵀAw`` with ``A = Q diag(λ) Qᵀ`` every optimiser without a per-weight scale (gradient descent,
momentum) moves each eigen-coordinate ``xᵢ = qᵢᵀw`` on its own, so the loss splits into ``fᵢ = ½ λᵢ xᵢ²``
that converge one by one (:func:`components`). In those coordinates momentum is the linear map

    (zᵢ, xᵢ) ← R(α, β, λᵢ) (zᵢ, xᵢ),   R = [[β, λᵢ], [−αβ, 1 − αλᵢ]]

and its spectral radius ``ρ(R)`` is the rate: below 1 it converges, monotonically when the eigenvalue of
largest modulus is real and positive, with oscillations when it is complex or negative (:func:`phases`).

>>> import torch
>>> c = components(torch.tensor([[1.0, 0.0], [0.0, 0.1]], dtype=torch.float64), torch.ones(1, 2, dtype=torch.float64))
>>> c["eigenvalues"], c["losses"]
([0.1, 1.0], [[0.05], [0.5]])
"""
from __future__ import annotations

from functools import lru_cache

import torch

# the phase diagram's grid: α on a log scale over the page's slider, β over [0, BETA_MAX]
ALPHA_LOG = (-4.0, 1.0)
BETA_MAX = 0.999
PHASE_GRID = 72
DIVERGES, MONOTONE, OSCILLATES = 0, 1, 2
PHASE_NAMES = ("diverges", "converges monotonically", "converges with oscillations")


def components(a: torch.Tensor, points: torch.Tensor) -> dict:
    """The eigenvalues of ``a`` (ascending, from ``torch.linalg.eigh``), its unit eigenvectors and, for each,
    the loss component ``½ λᵢ (qᵢᵀ w_k)²`` at every point ``w_k`` of ``points`` (k, 2); they sum to f."""
    lam, q = torch.linalg.eigh(a)
    q = q * torch.where(q.sum(0) < 0, -1.0, 1.0).to(q)  # a sign that does not flip as the rotation moves
    coords = points @ q  # (k, 2): xᵢ = qᵢᵀ w
    parts = 0.5 * lam * coords * coords
    return {"eigenvalues": lam.tolist(), "eigenvectors": q.T.tolist(), "losses": parts.T.tolist()}


def iteration_matrices(alpha: torch.Tensor, beta: torch.Tensor, lam: torch.Tensor) -> torch.Tensor:
    """``R(α, β, λ)`` for every combination of the broadcast shapes of the three, shape (..., 2, 2)."""
    alpha, beta, lam = torch.broadcast_tensors(alpha, beta, lam)
    return torch.stack((torch.stack((beta, lam), -1), torch.stack((-alpha * beta, 1 - alpha * lam), -1)), -2)


def rates(alpha: torch.Tensor, beta: torch.Tensor, eigenvalues: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The spectral radius of momentum on a quadratic with these Hessian ``eigenvalues`` (the largest over them)
    and the phase (``DIVERGES``, ``MONOTONE``, ``OSCILLATES``) at each ``(α, β)`` of the broadcast shapes."""
    mats = iteration_matrices(alpha[..., None], beta[..., None], eigenvalues)  # (..., λ, 2, 2)
    ev = torch.linalg.eigvals(mats).flatten(-2)  # (..., 2λ): both eigenvalues of every λ's matrix
    mod = ev.abs()
    rho, top = mod.max(-1)
    lead = ev.gather(-1, top[..., None])[..., 0]
    # complex or negative: the iterates ripple or flip sign (tolerance: a double root computed as a near pair)
    wavy = (lead.imag.abs() > 1e-9 * mod.amax(-1).clamp_min(1)) | (lead.real < 0)
    phase = torch.where(rho >= 1, DIVERGES, torch.where(wavy, OSCILLATES, MONOTONE))
    return rho, phase


def phases(condition: float) -> dict:
    """The (α, β) phase diagram of momentum on the quadratic of this condition number (eigenvalues 1/κ and 1;
    the rotation does not matter): a ``PHASE_GRID``² map, row-major from β = 0 up, α on a log10 axis."""
    return _phases(condition)


@lru_cache(maxsize=16)
def _phases(condition: float) -> dict:
    log_alpha = torch.linspace(*ALPHA_LOG, PHASE_GRID, dtype=torch.float64)
    betas = torch.linspace(0, BETA_MAX, PHASE_GRID, dtype=torch.float64)
    b, la = torch.meshgrid(betas, log_alpha, indexing="ij")
    rho, phase = rates(10 ** la, b, torch.tensor([1.0 / condition, 1.0], dtype=torch.float64))
    return {"log_alpha": list(ALPHA_LOG), "beta": [0.0, BETA_MAX], "size": PHASE_GRID, "names": list(PHASE_NAMES),
            "phase": phase.flatten().tolist(), "rate": [round(v, 4) for v in rho.clamp(max=9.99).flatten().tolist()]}
