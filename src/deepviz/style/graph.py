"""Directed graphs laid out by Graphviz and drawn with Manim: nodes, routed edges, arrow tips.

``layout`` asks Graphviz's ``dot`` for node positions and edge splines (one inch of Graphviz
is one Manim unit); ``GraphDrawing`` turns them into mobjects addressable by node key and
edge (tail, head), so a scene can light up a node or a path.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from typing import Hashable, Iterable, Sequence, TypeVar

import numpy as np
from manim import Circle, Polygon, VGroup, VMobject

from .mobjects import LABEL_SIZE, fit_width, label
from .theme import Theme


class GraphvizMissing(RuntimeError):
    pass


K = TypeVar("K", bound=Hashable)  # a node key: any hashable, the same type throughout one graph

@dataclass
class Layout:
    positions: dict[Hashable, np.ndarray]  # node centre
    splines: dict[tuple[Hashable, Hashable], np.ndarray]  # cubic Bezier control points, tail to head
    width: float
    height: float


def layout(nodes: dict[K, float | tuple[float, float]], edges: Iterable[tuple[K, K]],
           rankdir: str = "LR", nodesep: float = 0.25, ranksep: float = 0.5,
           fill: tuple[float, float] | None = None) -> Layout:
    """Lay out circles of the given diameters, or boxes of (width, height), with ``dot``
    (inches = Manim units). ``fill=(width, height)`` spreads the nodes apart (never their size)
    until the drawing is that large (Graphviz's ``ratio=fill``)."""
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissing("Graphviz's 'dot' is not installed (scripts/setup.sh installs it: apt-get install graphviz)")
    keys = list(nodes)
    ids = {k: f"n{i}" for i, k in enumerate(keys)}
    edges = list(edges)
    size = f' size="{fill[0]:.3f},{fill[1]:.3f}!"; ratio=fill;' if fill else ""
    lines = [f"digraph G {{ rankdir={rankdir}; nodesep={nodesep}; ranksep={ranksep}; splines=spline;{size}",
             "node [shape=circle, fixedsize=true, label=\"\"]; edge [arrowhead=none];"]
    for k in keys:
        size = nodes[k]
        if isinstance(size, tuple):
            lines.append(f"{ids[k]} [shape=box, width={size[0]:.3f}, height={size[1]:.3f}];")
        else:
            lines.append(f"{ids[k]} [width={size:.3f}];")
    lines += [f"{ids[a]} -> {ids[b]};" for a, b in edges]
    lines.append("}")
    out = subprocess.run([dot, "-Tplain"], input="\n".join(lines), capture_output=True, text=True, check=True).stdout
    back = {v: k for k, v in ids.items()}
    positions, splines, width, height = {}, {}, 0.0, 0.0
    for row in out.splitlines():
        f = row.split()
        if f[0] == "graph":
            width, height = float(f[2]), float(f[3])
        elif f[0] == "node":
            positions[back[f[1]]] = np.array([float(f[2]), float(f[3]), 0.0])
        elif f[0] == "edge":
            n = int(f[3])
            pts = np.array([[float(f[4 + 2 * i]), float(f[5 + 2 * i]), 0.0] for i in range(n)])
            key = (back[f[1]], back[f[2]])
            splines[key] = pts
    centre = np.array([width / 2, height / 2, 0.0])
    return Layout({k: p - centre for k, p in positions.items()}, {k: p - centre for k, p in splines.items()},
                  width, height)


def spline_path(points: np.ndarray) -> VMobject:
    """A VMobject through Graphviz's cubic Bezier control points (3k + 1 of them)."""
    path = VMobject()
    path.start_new_path(points[0])
    for i in range(1, len(points) - 2, 3):
        path.add_cubic_bezier_curve_to(points[i], points[i + 1], points[i + 2])
    return path


def arrow_tip(end: np.ndarray, towards: np.ndarray, size: float, color: str) -> Polygon:
    """A filled triangle with its point at ``end``, pointing along ``towards`` -> ``end``."""
    d = end - towards
    d = d / (np.linalg.norm(d) or 1.0)
    normal = np.array([-d[1], d[0], 0.0])
    base = end - d * size
    tip = Polygon(end, base + normal * size * 0.45, base - normal * size * 0.45)
    return tip.set_stroke(width=0).set_fill(color, 1.0)


class GraphEdge(VGroup):
    def __init__(self, points: np.ndarray, color: str, width: float = 3, tip: float = 0.16):
        super().__init__()
        self.path = spline_path(points).set_stroke(color, width)
        self.tip = arrow_tip(points[-1], points[-2] if len(points) > 1 else points[0], tip, color)
        self.add(self.path, self.tip)

    def set_color_role(self, color: str, width: float | None = None, opacity: float = 1.0) -> "GraphEdge":
        self.path.set_stroke(color, width if width is not None else self.path.get_stroke_width(), opacity)
        self.tip.set_fill(color, opacity)
        return self


class GraphNode(VGroup):
    def __init__(self, theme: Theme, name: str, diameter: float, color: str, size: float = LABEL_SIZE):
        super().__init__()
        self.circle = Circle(radius=diameter / 2).set_stroke(color, 3).set_fill(color, theme.fill_opacity())
        self.name = fit_width(label(name, theme, size=size), diameter * 0.85).move_to(self.circle)
        self.add(self.circle, self.name)


class GraphDrawing(VGroup):
    """Nodes (circles with names) and routed edges, positioned by :func:`layout`."""

    def __init__(self, theme: Theme, names: dict[Hashable, str], colors: dict[Hashable, str],
                 edges: Sequence[tuple[Hashable, Hashable]], diameter: float = 0.62, edge_color: str | None = None,
                 rankdir: str = "LR", nodesep: float = 0.25, ranksep: float = 0.5,
                 fill: tuple[float, float] | None = None):
        super().__init__()
        lay = layout({k: diameter for k in names}, edges, rankdir, nodesep, ranksep, fill)
        self.theme = theme
        self.edges = {e: GraphEdge(lay.splines[e], edge_color or theme.muted) for e in edges}
        self.nodes = {k: GraphNode(theme, names[k], diameter, colors[k]).move_to(lay.positions[k]) for k in names}
        self.edge_group = VGroup(*self.edges.values())
        self.node_group = VGroup(*self.nodes.values())
        self.add(self.edge_group, self.node_group)

    def incoming(self, key: Hashable) -> list[GraphEdge]:
        return [e for (a, b), e in self.edges.items() if b == key]

    def outgoing(self, key: Hashable) -> list[GraphEdge]:
        return [e for (a, b), e in self.edges.items() if a == key]

    def downstream_edges(self, key: Hashable) -> list[tuple[Hashable, Hashable]]:
        """Every edge on a path from ``key`` to a sink (the way an error signal came back)."""
        found, stack, seen = [], [key], set()
        while stack:
            k = stack.pop()
            for (a, b) in self.edges:
                if a == k and (a, b) not in seen:
                    seen.add((a, b))
                    found.append((a, b))
                    stack.append(b)
        return found
