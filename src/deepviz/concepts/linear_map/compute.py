"""A weight matrix moving the plane, computed with torch: params -> Trace.

    y = W x          W: 2 x 2; W e1 is W's first column, W e2 its second (where i-hat and j-hat land)
    y = W x + b      the affine map: every image shifted by b

Every point the scene draws (grid-line ends, basis vectors, the unit square with an F in it, the followed
vector), before and after the map, is computed here as W p (+ b). A straight line's image is the straight line
between its ends' images, so the ends are all a scene needs. The window drawn is fitted to the basis vectors,
the square and the vector (so they are big); the grid is made wide enough that its image covers the whole
window, and the scene shows the part inside it.
"""
from __future__ import annotations

import math
from typing import Any

import torch

from ...style.numbers import fmt_num
from ...trace import Trace, to_plain
from .schema import LinearMapData

DT = torch.float64
TOL = 1e-9
MARGIN = 1.15  # the view holds every point with 15% to spare
MAX_GRID = 16  # grid lines at most at -16..16 (a near-singular W would need more: its image is then a thin band)
# an F in the unit square, corners counter-clockwise: no symmetry, so rotations and mirror images show
LETTER = ((0.2, 0.1), (0.4, 0.1), (0.4, 0.45), (0.7, 0.45), (0.7, 0.62), (0.4, 0.62), (0.4, 0.75), (0.8, 0.75),
          (0.8, 0.92), (0.2, 0.92))


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    w = torch.tensor(values["matrix"], dtype=DT)
    b = torch.tensor(values["bias"], dtype=DT)
    x = torch.tensor(values["vector"], dtype=DT)

    basis = torch.eye(2, dtype=DT)
    square = torch.tensor([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=DT)
    letter = torch.tensor(LETTER, dtype=DT)
    det = torch.linalg.det(w)
    half = view(w, b, x, basis, square)
    n = grid_reach(w, b, half)
    ends = grid_ends(n)  # (lines, 2 ends, 2 coordinates)
    data = {
        "matrix": w, "bias": b, "columns": w.T, "det": det, "area": det.abs(),
        "rank": int(torch.linalg.matrix_rank(w, atol=TOL).item()), "has_bias": bool((b != 0).any()),
        "grid": {"k": list(range(-n, n + 1)) * 2, "start": ends, "linear": apply(w, ends),
                 "affine": apply(w, ends, b)},
        "basis": {"vectors": basis, "linear": apply(w, basis), "affine": apply(w, basis, b)},
        "square": {"corners": square, "linear": apply(w, square), "affine": apply(w, square, b)},
        "letter": {"corners": letter, "linear": apply(w, letter), "affine": apply(w, letter, b)},
        "orientation": orientation(w),
        "vector": {"x": x, "linear": apply(w, x), "affine": apply(w, x, b),
                   "parts": torch.stack([x[0] * w[:, 0], x[1] * w[:, 1]])},
        "origin": {"linear": apply(w, torch.zeros(2, dtype=DT)), "affine": apply(w, torch.zeros(2, dtype=DT), b)},
        "kind": kind(w),
    }
    data["view"] = half
    plain: LinearMapData = to_plain(data)
    return Trace(concept="linear-map", params={}, data=plain, narration=narration(plain), preset=preset)


def grid_ends(n: int) -> torch.Tensor:
    """Ends of the grid lines: vertical lines x = k, then horizontal lines y = k, for k = -n..n."""
    k = torch.arange(-n, n + 1, dtype=DT)
    lo, hi = torch.full_like(k, -n), torch.full_like(k, n)
    vertical = torch.stack([torch.stack([k, lo], 1), torch.stack([k, hi], 1)], 1)
    horizontal = torch.stack([torch.stack([lo, k], 1), torch.stack([hi, k], 1)], 1)
    return torch.cat([vertical, horizontal])


def apply(w: torch.Tensor, p: torch.Tensor, b: torch.Tensor | None = None) -> torch.Tensor:
    """W p (+ b) for points p stored in the last dimension (any leading shape)."""
    y = p @ w.T
    return y if b is None else y + b


def view(w, b, x, basis, square) -> float:
    """Half-width of the square window drawn (a multiple of 0.5): it holds the basis vectors, the unit square and
    the vector before and after the map (and the parts of W x), with 15% to spare."""
    pts = [basis, square, apply(w, basis), apply(w, square), apply(w, square, b), x, apply(w, x), apply(w, x, b),
           torch.stack([x[0] * w[:, 0], x[1] * w[:, 1]]), b]
    reach = max(float(p.abs().max()) for p in pts) * MARGIN
    return math.ceil(max(reach, 1.5) * 2) / 2


def grid_reach(w: torch.Tensor, b: torch.Tensor, half: float) -> int:
    """The n of the grid -n..n whose image under W (and W + b) covers the window [-half, half]^2: every window
    corner's preimage lies in [-n, n]^2 (a singular W has no preimage: its image is a line, n = the window)."""
    need = half
    if int(torch.linalg.matrix_rank(w, atol=TOL).item()) == 2:
        corners = torch.tensor([[-half, -half], [half, -half], [half, half], [-half, half]], dtype=DT)
        inv = torch.linalg.inv(w)
        need = max(need, float((corners @ inv.T).abs().max()), float(((corners - b) @ inv.T).abs().max()))
    return min(MAX_GRID, math.ceil(need - 1e-9))


def orientation(w: torch.Tensor) -> dict[str, Any]:
    """The turn from where i-hat lands to where j-hat lands: start angle and signed sweep (radians, in
    (-pi, pi]); counter-clockwise before the map, clockwise (negative) when det W < 0: the plane flipped over."""
    a, c = w[:, 0], w[:, 1]
    start = torch.atan2(a[1], a[0])
    sweep = torch.atan2(a[0] * c[1] - a[1] * c[0], a @ c)  # the signed angle from W e1 to W e2
    return {"start": start, "sweep": sweep, "flipped": bool(torch.linalg.det(w) < 0)}


def kind(w: torch.Tensor) -> dict[str, Any]:
    """What this W does, in words, from torch's determinant, rank, orthogonality and eigen-decomposition."""
    eye = torch.eye(2, dtype=DT)
    det = float(torch.linalg.det(w))
    rank = int(torch.linalg.matrix_rank(w, atol=TOL).item())
    if rank == 0:
        return {"name": "zero", "text": "W is zero: the whole plane collapses onto the origin."}
    if rank == 1:
        return {"name": "singular", "text": "det W = 0: the plane collapses onto a line; W cannot be undone."}
    if torch.allclose(w, eye, atol=TOL):
        return {"name": "identity", "text": "W is the identity: nothing moves."}
    if torch.allclose(w.T @ w, eye, atol=TOL):
        angle = math.degrees(math.atan2(float(w[1, 0]), float(w[0, 0])))
        if det > 0:
            return {"name": "rotation", "angle": angle, "text": f"W is a rotation by {fmt_num(angle, 1)}\u00b0: "
                    "lengths and angles are kept."}
        axis = {0.0: "the horizontal axis", 90.0: "the vertical axis"}.get(round(angle / 2 % 180, 9),
                                                                          f"the line at {fmt_num(angle / 2, 1)}\u00b0")
        return {"name": "reflection", "angle": angle / 2, "text": f"W is a reflection across {axis}: lengths are "
                "kept, the plane is flipped over."}
    if w[0, 1] == 0 and w[1, 0] == 0:
        return {"name": "scaling", "text": f"W is a scaling: x by {fmt_num(float(w[0, 0]))}, y by "
                f"{fmt_num(float(w[1, 1]))}."}
    if (w[0, 1] == 0 or w[1, 0] == 0) and w[0, 0] == 1 and w[1, 1] == 1:
        return {"name": "shear", "text": "W is a shear: one axis stays, lines parallel to it slide along it."}
    if torch.allclose(w, w.T, atol=TOL):
        vals, vecs = torch.linalg.eigh(w)
        v = [vecs[:, i] / vecs[:, i].abs().max() * (1 if vecs[:, i].sum() >= 0 else -1) for i in range(2)]
        dirs = [f"({fmt_num(float(u[0]))}, {fmt_num(float(u[1]))})" for u in v]
        acts = [_along(dirs[i], float(vals[i])) for i in (1, 0)]
        return {"name": "symmetric", "eigenvalues": vals, "eigenvectors": torch.stack(v),
                "text": f"W {acts[0]} and {acts[1]}."}
    return {"name": "general", "text": "A general linear map: a mix of rotation, stretching and shear."}


def _along(direction: str, factor: float) -> str:
    """What a symmetric W does along one eigenvector, in words."""
    if factor < 0:
        return f"reverses the direction {direction} (factor {fmt_num(factor)})"
    return f"stretches the direction {direction} by {fmt_num(factor)}"


def _v(p) -> str:
    return f"({fmt_num(p[0])}, {fmt_num(p[1])})"


def _m(w) -> str:
    return "[" + ", ".join("[" + ", ".join(fmt_num(v) for v in row) + "]" for row in w) + "]"


def narration(d: LinearMapData) -> dict[str, str]:
    (ci, cj), v = d["columns"], d["vector"]
    x, y = v["x"], v["linear"]
    det = d["det"]
    if d["rank"] == 2:
        area = (f"The unit square becomes a parallelogram of area |det W| = {fmt_num(d['area'])}"
                + ("; det W < 0: the plane is flipped over. The F reads mirrored, and the turn from \u00ee to "
                   "\u0135 now runs clockwise." if det < 0 else
                   ". det W > 0: the F is not flipped; \u00ee to \u0135 still turns counter-clockwise."))
    else:
        area = "The unit square is squashed flat: det W = 0, no area is left."
    steps = {
        "plane": "The plane of inputs x = (x1, x2): a grid, the basis vectors \u00ee = (1, 0) and \u0135 = (0, 1), "
                 f"the unit square with an F in it, and one vector x = {_v(x)}.",
        "columns": f"W = {_m(d['matrix'])}. Its first column {_v(ci)} is where \u00ee lands, its second "
                   f"{_v(cj)} is where \u0135 lands.",
        "move": "Apply W: every point p moves to W p. Grid lines stay straight, parallel and evenly spaced; "
                "the origin stays put. " + d["kind"]["text"],
        "vector": f"x = {fmt_num(x[0])}\u00b7\u00ee + {fmt_num(x[1])}\u00b7\u0135, so W x = "
                  f"{fmt_num(x[0])}\u00b7{_v(ci)} + {fmt_num(x[1])}\u00b7{_v(cj)} = {_v(y)}: "
                  "the same mix of the moved basis vectors.",
        "area": area,
    }
    if d["has_bias"]:
        steps["bias"] = (f"Add the bias b = {_v(d['bias'])}: everything shifts by b, the origin too, to "
                         f"{_v(d['origin']['affine'])}. y = W x + b is an affine map; W x + b = {_v(v['affine'])}.")
    else:
        steps["origin"] = ("Here b = 0, so W \u00b7 0 = 0: a linear map never moves the origin. A layer adds a "
                           "bias b, which shifts everything by b: an affine map.")
    return steps
