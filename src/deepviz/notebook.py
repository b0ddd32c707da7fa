"""Jupyter: ``deepviz.widget(concept)`` — controls made from the concept's declared parameters.

The controls come from the same declarations as the CLI and the gallery form (params.py): a slider
for a bounded number, a checkbox, a drop-down of choices, a text box for the rest. Each change
recomputes the trace (torch only, no drawing) and shows its narration — the numbers the video will
say — or the one-line error naming the parameter. "Still" renders the last frame quickly; "Render"
the video, shown inline with its captions. ipywidgets is imported only here.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from . import catalog
from .params import Bool, Choice, Float, Int, Param, ParamError

SLIDER_STEPS = 1000  # a bounded float slider moves in steps of (max - min) / this
MAX_INT_SLIDER = 10_000  # wider integer ranges get a number box, not a slider


class MissingWidgets(RuntimeError):
    """ipywidgets is not installed; the message says how to install it."""


def _widgets():
    try:
        import ipywidgets
    except ImportError:
        raise MissingWidgets("deepviz.widget needs ipywidgets: pip install 'deepviz[notebook]'") from None
    return ipywidgets


def control(param: Param, value: Any):
    """One ipywidgets control for a declared parameter, showing ``value``."""
    w = _widgets()
    common: dict[str, Any] = {"description": param.name, "tooltip": param.describe(),
                              "style": {"description_width": "initial"}}
    if isinstance(param, Bool):
        return w.Checkbox(value=bool(value), **common)
    if isinstance(param, Choice):
        return w.Dropdown(options=list(param.choices), value=value, **common)
    if isinstance(param, Int) and param.min is not None and param.max is not None \
            and param.max - param.min <= MAX_INT_SLIDER:
        return w.IntSlider(value=value, min=param.min, max=param.max, **common)
    if isinstance(param, Float) and param.min is not None and param.max is not None:
        return w.FloatSlider(value=value, min=param.min, max=param.max, step=(param.max - param.min) / SLIDER_STEPS,
                             readout_format=".4g", **common)
    return w.Text(value=_as_text(param, value), continuous_update=False, **common)


def _as_text(param: Param, value: Any) -> str:
    """A value as the user would type it; one the parameter refuses stays as given, to be reported."""
    if value is None or isinstance(value, str):
        return "" if value is None else value
    try:
        return param.format(param.coerce(value))
    except ParamError:
        return str(value)


class ConceptWidget:
    """The controls, the trace's narration and the video of one concept; shows itself in Jupyter."""

    def __init__(self, concept: str, preset: str | None = None, quality: str = "low", theme: str = "dark",
                 output: str | Path = "media"):
        w = _widgets()
        self.concept = catalog.get(concept)
        self.quality, self.theme, self.output = quality, theme, Path(output)
        preset_name, values = self.concept.resolve(preset)
        self.preset = w.Dropdown(options=self.concept.preset_names(), value=preset_name, description="preset")
        self.controls = {p.name: control(p, values[p.name]) for p in self.concept.params}
        self.status = w.HTML()
        self.narration = w.HTML()
        self.media = w.Output()
        still, video = w.Button(description="Still"), w.Button(description="Render", button_style="primary")
        still.on_click(lambda _: self.show(self.render(fmt="png")))
        video.on_click(lambda _: self.show(self.render()))
        self._quiet = False
        self.preset.observe(lambda ch: self.load_preset(ch["new"]), names="value")
        for c in self.controls.values():
            c.observe(lambda _: self.refresh(), names="value")
        self.box = w.VBox([w.HTML(f"<b>{self.concept.title}</b> — {self.concept.summary}"), self.preset,
                           w.GridBox(list(self.controls.values()),
                                     layout=w.Layout(grid_template_columns="repeat(2, minmax(0, 1fr))")),
                           w.HBox([still, video]), self.status, self.narration, self.media])
        self.refresh()

    def values(self) -> dict[str, Any]:
        """The controls' values as typed by the user (text boxes still as text)."""
        return {name: c.value for name, c in self.controls.items()}

    def set(self, **values: Any) -> None:
        """Set controls from Python values (``w.set(stride=2)``), then recompute once."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ParamError(sorted(unknown)[0], f"{self.concept.name} has no such parameter")
        self._quiet = True
        try:
            for name, value in values.items():
                c: Any = self.controls[name]  # ipywidgets' value traits differ by control
                c.value = _as_text(self.concept.params.get(name), value) if isinstance(c.value, str) else value
        finally:
            self._quiet = False
        self.refresh()

    def load_preset(self, name: str) -> None:
        """Select preset ``name``: every control takes its values, then the trace is recomputed once."""
        if self.preset.value != name:
            self.preset.value = name  # its observer comes back here with the new value
            return
        self.set(**self.concept.resolve(name)[1])

    def _user_values(self) -> dict[str, Any]:
        return {k: v for k, v in self.values().items() if not (isinstance(v, str) and v.strip() in ("", "auto"))}

    def refresh(self) -> bool:
        """Recompute the trace from the controls; show its narration, or the error. True when it traced."""
        if self._quiet:
            return False
        try:
            trace = self.concept.trace(self.preset.value, **self._user_values())
        except ParamError as err:
            self.status.value = f'<span style="color:#d55e00">{_escape(str(err))}</span>'
            return False
        self.status.value = ""
        from .style.theme import get_theme

        words = get_theme(self.theme).words  # "{color:input}" -> the colour's name in this theme
        steps = "".join(f"<li>{_escape(words(text))}</li>" for text in trace.narration.values())
        self.narration.value = f"<ol>{steps}</ol>"
        return True

    def render(self, fmt: str = "mp4"):
        """Render the current values (``fmt`` "png": the last frame only); None after an error."""
        if not self.refresh():
            return None
        from .render import render_concept

        self.status.value = "rendering..."
        result = render_concept(self.concept.name, self.preset.value, quality=self.quality, theme=self.theme,
                                fmt=fmt, output=self.output, **self._user_values())
        self.status.value = ""
        return result

    def show(self, result) -> None:
        if result is None:
            return
        from IPython.display import HTML, display

        self.media.clear_output()
        with self.media:
            display(HTML(result._repr_html_()))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def widget(concept: str, preset: str | None = None, **options: Any) -> ConceptWidget:
    """A notebook widget for ``concept``: controls from its parameters, its narration, Still and Render.

    ``options``: ``quality`` (default "low"), ``theme`` ("dark"), ``output`` (folder, "media").
    """
    return ConceptWidget(concept, preset, **options)


# -- deepviz.watch's live chart -----------------------------------------------------------------------
CHART_W, CHART_H, PAD = 640, 260, 44  # the chart's SVG size and margin (px)


class ScalarChart:
    """The scalars of a recorded run as lines in an SVG that an ipywidgets HTML shows and redraws."""

    def __init__(self, theme: str = "light"):
        from .style.theme import get_theme

        self.theme = get_theme(theme)
        self.series: dict[str, list[tuple[int, float]]] = {}
        self.nonfinite: dict[str, int] = {}  # the first step a scalar was NaN or inf
        self.widget = _widgets().HTML(self.svg())

    def add(self, step: int, scalars: dict[str, float]) -> None:
        import math

        for name, v in scalars.items():
            if math.isfinite(v):
                self.series.setdefault(name, []).append((step, v))
            else:
                self.nonfinite.setdefault(name, step)
        self.widget.value = self.svg()

    def svg(self) -> str:
        import html

        th = self.theme
        points = [p for s in self.series.values() for p in s]
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_W}" height="{CHART_H}" '
                f'style="background:{th.background};font:12px sans-serif">')
        if not points:
            return head + f'<text x="{PAD}" y="{CHART_H / 2}" fill="{th.foreground}">waiting for the first recorded step</text></svg>'
        x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
        y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
        sx = (CHART_W - 2 * PAD) / ((x1 - x0) or 1)
        sy = (CHART_H - 2 * PAD) / ((y1 - y0) or 1)

        def xy(step: float, v: float) -> str:
            return f"{PAD + (step - x0) * sx:.1f},{CHART_H - PAD - (v - y0) * sy:.1f}"

        parts = [head, f'<text x="4" y="{PAD}" fill="{th.foreground}">{y1:.4g}</text>',
                 f'<text x="4" y="{CHART_H - PAD}" fill="{th.foreground}">{y0:.4g}</text>',
                 f'<text x="{PAD}" y="{CHART_H - 12}" fill="{th.foreground}">step {x0}</text>',
                 f'<text x="{CHART_W - PAD}" y="{CHART_H - 12}" fill="{th.foreground}" text-anchor="end">step {x1}</text>']
        for k, (name, pts) in enumerate(self.series.items()):
            colour = th.series_color(k)
            line = " ".join(xy(s, v) for s, v in pts)
            parts.append(f'<polyline data-name="{html.escape(name)}" points="{line}" fill="none" '
                         f'stroke="{colour}" stroke-width="2"/>')
            bad = f" (NaN from step {self.nonfinite[name]})" if name in self.nonfinite else ""
            parts.append(f'<text x="{CHART_W - PAD}" y="{16 + 16 * k}" fill="{colour}" text-anchor="end">'
                         f'{html.escape(name)} {pts[-1][1]:.4g}{bad}</text>')
        return "".join(parts) + "</svg>"


# -- the studio in a notebook cell ------------------------------------------------------------------
_STUDIO: dict[str, Any] = {}  # the one studio a kernel runs: {"server", "thread", "url"}


def studio(page: str = "", port: int | None = None, media: str | Path = "media", height: int = 760):
    """The studio's ``page`` ("" is the playground; "gallery", "optimise", ...) in an IFrame.

    The first call starts the studio in a thread of this kernel on ``port`` (a free one by default,
    this machine only); it stops with the kernel. Later calls show other pages of the same studio.
    """
    import socket
    import threading
    import time

    from IPython.display import IFrame

    if not isinstance(page, str) or page.startswith(("/", "http")) or ".." in page:
        raise ParamError("page", f"expected a page of the studio such as 'gallery', got {page!r}")
    if "server" not in _STUDIO:
        import atexit

        import uvicorn

        from .studio.server import SERVER_OPTIONS, create_app

        if port is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = int(s.getsockname()[1])
        assert port is not None
        config = uvicorn.Config(create_app(media=Path(media)), host="127.0.0.1", port=port, log_level="warning",
                                **SERVER_OPTIONS)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="deepviz-studio", daemon=True)
        thread.start()
        for _ in range(200):  # up to 10 s for the server to listen
            if server.started or not thread.is_alive():
                break
            time.sleep(0.05)
        if not server.started:
            raise RuntimeError(f"the studio did not start on port {port}")
        _STUDIO.update(server=server, thread=thread, url=f"http://127.0.0.1:{port}/")
        atexit.register(stop_studio)
    return IFrame(_STUDIO["url"] + page, width="100%", height=height)


def stop_studio() -> None:
    """Stop the studio :func:`studio` started (the kernel's exit does this too)."""
    server = _STUDIO.pop("server", None)
    if server is not None:
        server.should_exit = True
        _STUDIO.pop("thread").join(10)
        _STUDIO.clear()
