"""The perceptron, computed with torch: params -> Trace.

    y = H(w . x + b),   H(z) = 1 if z >= 0 else 0   (torch.heaviside with H(0) = 1)

The boundary w . x + b = 0 is a point (one input), a line (two) or a plane (three); its pieces inside the
window on screen (the segment, the two half-planes, the plane's polygon in the box) are computed here.
The learning rule, for each point in turn:  y = H(w . x + b);  w <- w + eta (t - y) x;  b <- b + eta (t - y).
"""
from __future__ import annotations

import math
from itertools import product
from typing import Any

import torch

from ...style.numbers import fmt_num
from ...trace import Trace, to_plain
from .data import BOX, DAYS, FEATURES, LEARN_BOX, POINTS, UNITS
from .schema import PerceptronData

DT = torch.float64
EPS = 1e-9


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    days = torch.tensor(DAYS, dtype=DT)
    data: dict[str, Any] = {"part": values["part"], "features": list(FEATURES), "units": list(UNITS),
                            "box": BOX, "days": days}
    data["one"] = one_input(values["weight"], values["bias"], torch.tensor(values["temperatures"], dtype=DT))
    data["two"] = two_inputs(torch.tensor(values["weights_2d"], dtype=DT), values["bias_2d"], days[:, :2])
    data["three"] = three_inputs(torch.tensor(values["weights_3d"], dtype=DT), values["bias_3d"], days,
                                 data["two"]["y"])
    data["general"] = general(torch.tensor(values["weights_3d"], dtype=DT), values["bias_3d"], days[0])
    data["learning"] = learn(torch.tensor(POINTS, dtype=DT), torch.tensor(values["init"], dtype=DT),
                             values["lr"], values["epochs"])
    plain: PerceptronData = to_plain(data)
    return Trace(concept="perceptron", params={}, data=plain, narration=narration(plain), preset=preset)


def heaviside(z: torch.Tensor) -> torch.Tensor:
    return torch.heaviside(z, torch.ones_like(z))


def one_input(w: float, b: float, x: torch.Tensor) -> dict[str, Any]:
    wt, bt = torch.tensor(w, dtype=DT), torch.tensor(b, dtype=DT)
    z = wt * x + bt
    boundary = -bt / wt
    pts = torch.cat([x, boundary.reshape(1)])
    lo = math.floor((float(pts.min()) - 3) / 5) * 5
    hi = math.ceil((float(pts.max()) + 3) / 5) * 5
    return {"w": wt, "b": bt, "x": x, "z": z, "y": heaviside(z), "boundary": boundary, "window": [lo, hi],
            "on_right": bool(wt > 0),
            "flipped": {"w": -wt, "b": -bt, "z": -z, "y": heaviside(-z), "boundary": -(-bt) / (-wt)}}


def rectangle(box) -> torch.Tensor:
    (x0, x1), (y0, y1) = box
    return torch.tensor([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=DT)


def clip(poly: torch.Tensor, w: torch.Tensor, b: float, sign: float) -> torch.Tensor:
    """The part of a convex polygon where sign * (w . p + b) >= 0 (Sutherland-Hodgman, one half-plane)."""
    out = []
    f = sign * (poly @ w + b)
    n = len(poly)
    for i in range(n):
        p, q, fp, fq = poly[i], poly[(i + 1) % n], f[i], f[(i + 1) % n]
        if fp >= 0:
            out.append(p)
        if (fp >= 0) != (fq >= 0) and fp != fq:
            out.append(p + (q - p) * fp / (fp - fq))
    return torch.stack(out) if out else torch.zeros(0, poly.shape[1], dtype=DT)


def edge_crossings(corners: torch.Tensor, edges: list[tuple[int, int]], w: torch.Tensor, b: float) -> torch.Tensor:
    """Where w . p + b = 0 crosses the given edges of a box (each crossing once)."""
    f = corners @ w + b
    found: list[torch.Tensor] = []
    for i, j in edges:
        if (f[i] >= 0) != (f[j] >= 0) or f[i] == 0 or f[j] == 0:
            if f[i] == f[j]:
                continue
            p = corners[i] + (corners[j] - corners[i]) * f[i] / (f[i] - f[j])
            if all(float((p - q).abs().max()) > EPS for q in found):
                found.append(p)
    return torch.stack(found) if found else torch.zeros(0, corners.shape[1], dtype=DT)


def two_inputs(w: torch.Tensor, b: float, x: torch.Tensor) -> dict[str, Any]:
    z = x @ w + b
    rect = rectangle(BOX[:2])
    seg = edge_crossings(rect, [(0, 1), (1, 2), (2, 3), (3, 0)], w, b)
    if len(seg) > 2:  # the line runs through a corner: keep the two farthest apart
        d = torch.cdist(seg, seg)
        i, j = divmod(int(d.argmax()), len(seg))
        seg = seg[[i, j]]
    return {"w": w, "b": b, "x": x, "z": z, "y": heaviside(z), "segment": seg,
            "on": clip(rect, w, b, 1.0), "off": clip(rect, w, b, -1.0)}


def box_corners(box) -> tuple[torch.Tensor, list[tuple[int, int]]]:
    corners = torch.tensor(list(product(*box)), dtype=DT)
    edges = [(i, j) for i in range(8) for j in range(i + 1, 8) if int((corners[i] != corners[j]).sum()) == 1]
    return corners, edges


def plane_polygon(w: torch.Tensor, b: float) -> torch.Tensor:
    """The polygon where the plane w . x + b = 0 cuts the box, its corners in order around it."""
    corners, edges = box_corners(BOX)
    pts = edge_crossings(corners, edges, w, b)
    if len(pts) < 3:
        return pts
    # order by angle around the centre, measured in the plane (in box units, so the scale of an axis does not skew)
    span = torch.tensor([hi - lo for lo, hi in BOX], dtype=DT)
    q = pts / span
    c = q.mean(0)
    n = w * span
    n = n / n.norm()
    u = q[0] - c
    u = u / u.norm()
    v = torch.linalg.cross(n, u)
    angle = torch.atan2((q - c) @ v, (q - c) @ u)
    return pts[torch.argsort(angle)]


def three_inputs(w: torch.Tensor, b: float, x: torch.Tensor, y2: torch.Tensor) -> dict[str, Any]:
    z = x @ w + b
    y = heaviside(z)
    changed = [i for i in range(len(x)) if float(y[i]) != float(y2[i])]
    return {"w": w, "b": b, "x": x, "z": z, "y": y, "polygon": plane_polygon(w, b), "changed": changed}


def general(w: torch.Tensor, b: float, x: torch.Tensor) -> dict[str, Any]:
    """One day through y = H(W x + b) with W the 1 x 3 row of weights."""
    big_w = w.reshape(1, 3)
    wx = big_w @ x
    z = wx + b
    return {"W": big_w, "x": x, "b": b, "products": w * x, "Wx": wx, "z": z, "y": heaviside(z)}


def state(w: torch.Tensor, b: torch.Tensor, x: torch.Tensor, t: torch.Tensor) -> dict[str, Any]:
    """One drawn line: w, b, its segment and y = 1 side in the window, and the points it gets wrong."""
    rect = rectangle((LEARN_BOX, LEARN_BOX))
    seg = edge_crossings(rect, [(0, 1), (1, 2), (2, 3), (3, 0)], w, float(b)) if w.abs().max() > 0 else \
        torch.zeros(0, 2, dtype=DT)
    wrong = torch.nonzero(heaviside(x @ w + b) != t).flatten()
    return {"w": w.clone(), "b": b.clone(), "segment": seg, "on": clip(rect, w, float(b), 1.0), "wrong": wrong}


def arrow_scale(states: list[dict[str, Any]]) -> float:
    """One factor for every drawn w arrow (from the origin) so the longest stays in the window (1: true length)."""
    reach = max(float(s["w"].abs().max()) for s in states)
    return min(1.0, 0.95 * LEARN_BOX[1] / reach)


def learn(points: torch.Tensor, init: torch.Tensor, lr: float, epochs: int) -> dict[str, Any]:
    x, t = points[:, :2], points[:, 2]
    w, b = init[:2].clone(), init[2].clone()
    wrong_at_start = int((heaviside(x @ w + b) != t).sum())
    states, updates, per_epoch = [state(w, b, x, t)], [], []
    for epoch in range(1, epochs + 1):
        done = []
        for i in range(len(x)):
            z = x[i] @ w + b
            y = heaviside(z)
            if y == t[i]:
                continue
            dw, db = lr * (t[i] - y) * x[i], lr * (t[i] - y)
            before_w, before_b = w.clone(), b.clone()
            w, b = w + dw, b + db
            states.append(state(w, b, x, t))
            done.append(len(updates))
            updates.append({"epoch": epoch, "index": i, "x": x[i], "t": t[i], "z": z, "y": y, "delta_w": dw,
                            "delta_b": db, "w_before": before_w, "b_before": before_b, "w": w.clone(),
                            "b": b.clone(), "state": len(states) - 1})
        per_epoch.append({"epoch": epoch, "mistakes": len(done), "updates": done})
        if not done:
            break
    y_final = heaviside(x @ w + b)
    return {"x": x, "t": t, "lr": lr, "init": init, "states": states, "updates": updates, "epochs": per_epoch,
            "converged": per_epoch[-1]["mistakes"] == 0, "correct": int((y_final == t).sum()),
            "y_final": y_final, "w": w, "b": b, "wrong_at_start": wrong_at_start, "arrow_scale": arrow_scale(states)}


def _n(v: float) -> str:
    return fmt_num(v, 2)


def _vec(v) -> str:
    return "(" + ", ".join(_n(c) for c in v) + ")"


def narration(d: PerceptronData) -> dict[str, str]:
    return narration_learning(d) if d["part"] == "learning" else narration_boundary(d)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def narration_boundary(d: PerceptronData) -> dict[str, str]:
    one, two, three, g = d["one"], d["two"], d["three"], d["general"]
    deg = "\u00b0C"
    on = [_n(x) for x, y in zip(one["x"], one["y"]) if y == 1]
    off = [_n(x) for x, y in zip(one["x"], one["y"]) if y == 0]
    side = "warmer" if one["on_right"] else "colder"
    fl = one["flipped"]
    lit = {1.0: "on", 0.0: "off"}
    inputs = []
    if off:
        inputs.append(f"{_join(off)} {deg} stay off (y = 0)")
    if on:
        inputs.append(f"{_join(on)} {deg} turn it on (y = 1)")
    on2 = [str(i + 1) for i, y in enumerate(two["y"]) if y == 1]
    changed = three["changed"]
    if changed:
        states = {lit[three["y"][i]] for i in changed}
        now = (f"{'both are' if len(changed) == 2 else 'all are'} now {states.pop()}" if len(changed) > 1 and
               len(states) == 1 else _join([f"day {i + 1} is now {lit[three['y'][i]]}" for i in changed]))
        wind = (f"Wind changes the answer for day{'s' if len(changed) > 1 else ''} "
                f"{_join([str(i + 1) for i in changed])}: {now}.")
    else:
        wind = "Here wind changes no day's answer."
    w1, w2 = two["w"]
    v1, v2, v3 = three["w"]
    return {
        "neuron": f"A perceptron fires (y = 1) when its weighted input plus a bias is at least 0: y = H(w x + b). "
                  f"One input, the temperature x: w = {_n(one['w'])}, b = {_n(one['b'])}.",
        "boundary": f"w x + b = 0 at x = \u2212b/w = {_n(one['boundary'])} {deg}: the boundary is a point. "
                    f"{side.capitalize()}, w x + b > 0 and y = 1.",
        "inputs": f"Six days: {'; '.join(inputs)}.",
        "flip": f"Flip the signs: w = {_n(fl['w'])}, b = {_n(fl['b'])}. Same boundary, {_n(fl['boundary'])} {deg}, "
                "but now the other side turns it on.",
        "line": f"Two inputs, temperature x1 and humidity x2, w = ({_n(w1)}, {_n(w2)}), b = {_n(two['b'])}: the "
                "boundary w \u00b7 x + b = 0 is a line; it splits the plane in two.",
        "days2d": (f"Days {_join(on2)} lie in the {{color:output}} half-plane: they turn it on." if on2 else
                   "No day lies in the {color:output} half-plane: none turns it on."),
        "plane": f"Add wind speed x3, w = ({_n(v1)}, {_n(v2)}, {_n(v3)}), b = {_n(three['b'])}: the boundary "
                 "is a plane in 3D.",
        "days3d": f"The plane splits space in two. {wind}",
        "general": f"In general y = H(W x + b). Day 1: W x = {_n(g['Wx'][0])}, plus b = {_n(g['b'])} gives "
                   f"{_n(g['z'][0])}, so y = {_n(g['y'][0])}. A layer of n neurons has n rows in W.",
    }


def narration_learning(d: PerceptronData) -> dict[str, str]:
    L = d["learning"]
    w0, b0 = L["init"][:2], L["init"][2]
    wrong0 = L["wrong_at_start"]
    steps = {
        "data": f"Eight points, targets t = 1 ({{color:class1}}) and t = 0 ({{color:class0}}). Start: w = {_vec(w0)}, "
                f"b = {_n(b0)}; {wrong0} point{'s are' if wrong0 != 1 else ' is'} on the wrong side (circled). The "
                "arrow w is the line's normal, pointing to the y = 1 side.",
        "rule": f"For each point in turn, y = H(w \u00b7 x + b). If y \u2260 t: w \u2190 w + \u03b7 (t \u2212 y) x "
                f"and b \u2190 b + \u03b7 (t \u2212 y), \u03b7 = {_n(L['lr'])}.",
    }
    for e in L["epochs"]:
        k = e["epoch"]
        if e["mistakes"] == 0:
            steps[f"epoch{k}"] = f"Epoch {k}: no mistakes. Every point is on its side, so w and b stop changing."
            continue
        ups = [L["updates"][u] for u in e["updates"]]
        first = ups[0]
        sign = "+" if first["t"] > first["y"] else "\u2212"
        many = e["mistakes"] > 1
        text = (f"Epoch {k}: {e['mistakes']} mistake{'s' if many else ''} (point{'s' if many else ''} "
                f"{_join([str(u['index'] + 1) for u in ups])}). Point {first['index'] + 1}: "
                f"t = {_n(first['t'])}, y = {_n(first['y'])}, so w {sign}= {_n(L['lr'])} \u00b7 {_vec(first['x'])}, "
                f"b {sign}= {_n(L['lr'])}: w turns {'towards' if sign == '+' else 'away from'} the point.")
        steps[f"epoch{k}"] = text
    if L["converged"]:
        steps["result"] = (f"Converged: w = {_vec(L['w'])}, b = {_n(L['b'])} classifies all {len(L['x'])} points. "
                           "On separable data the rule always gets there.")
    else:
        steps["result"] = (f"After {len(L['epochs'])} epochs w = {_vec(L['w'])}, b = {_n(L['b'])} gets "
                           f"{L['correct']} of {len(L['x'])} points right; more epochs would finish the job.")
    return steps
