"""The studio's web server: FastAPI, one playground session per websocket (one per tab).

Training is decoupled from drawing: while playing, a worker thread trains as many epochs as
the speed setting allows, and the connection sends a frame (losses, weights, heatmaps) at most
``FPS`` times a second, whatever the training rate. Closing the tab closes the socket and
frees the session. Requests from another origin are refused: a page the user visits must not
drive the local studio.
"""
from __future__ import annotations

import asyncio
import csv
import threading
import time
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..params import ParamError
from . import protocol
from .engine import Config, Playground
from .errors import field_error

FPS = 30
MAX_SESSIONS = 16
MAX_UPLOAD = 256 * 1024  # bytes of CSV


class Session:
    """One tab's playground and its play state; the worker thread runs the training."""

    def __init__(self, jobs=None) -> None:
        self.pg = Playground(Config())
        self.lock = threading.Lock()
        self.playing = False
        self.speed = 1000.0  # epochs per second at most
        self.next_epoch_at = 0.0  # perf_counter time before which no epoch starts (the speed)
        self.error: dict | None = None
        self.version = 0  # bumped by every change: a frame is sent when it moved
        self.view: int | None = None  # an earlier epoch the page is looking at (the tape)
        self.jobs = jobs  # the studio's render queue (the MP4 export), if any
        self.received = 0  # messages handled: the page trusts a frame's play state once it has seen all of its own

    def handle(self, msg) -> str | dict | None:
        """Apply a client message; returns an error text for the page, or a message to send it."""
        with self.lock:
            self.version += 1
            self.received += 1
            if not isinstance(msg, (protocol.View, protocol.Pause, protocol.Speed)):
                self.view = None  # anything that changes the run leaves the tape's view
            if isinstance(msg, protocol.View):
                if not self.on_tape(msg.epoch):
                    return f"epoch: no snapshot of epoch {msg.epoch}"
                self.playing = False
                self.view = self.pg.nearest_snapshot(msg.epoch)
            elif isinstance(msg, protocol.Configure):
                changes = msg.settings.changes()
                cfg = replace(self.pg.cfg, **changes)
                if cfg.dataset == "custom" and len(cfg.custom) < 2:
                    return "custom: draw or upload at least 2 points"
                self.pg.update(**changes)
            elif isinstance(msg, protocol.Play):
                self.playing = True
            elif isinstance(msg, protocol.Pause):
                self.playing = False
            elif isinstance(msg, protocol.Step):
                self.playing = False
                self.pg.train_epoch() if msg.unit == "epoch" else self.pg.step_batch()
            elif isinstance(msg, protocol.Reset):
                self.playing = False
                self.pg.reset()
            elif isinstance(msg, protocol.Speed):
                self.speed = msg.epochs_per_second
            elif isinstance(msg, protocol.Restore):
                if not self.on_tape(msg.epoch):
                    return f"epoch: no snapshot of epoch {msg.epoch}"
                self.pg.restore(self.pg.nearest_snapshot(msg.epoch))
            elif isinstance(msg, protocol.SetWeight):
                return self.pg.set_weight(msg.layer, tuple(msg.index), msg.value)
            elif isinstance(msg, protocol.Export):
                return self.export(msg)
        return None

    def on_tape(self, epoch: int) -> bool:
        """Within the tape's span (a long run's older epochs are thinned: the nearest kept one is used)."""
        return self.pg.tape[0].epoch <= epoch <= self.pg.tape[-1].epoch

    def export(self, msg: protocol.Export) -> dict | str:
        """A file for the page to save (sent over the socket: no server path is involved), or a
        queued render job for the MP4."""
        import base64

        from . import export

        stem = f"playground-{self.pg.cfg.dataset}-epoch{self.pg.epoch}"
        if msg.what == "state_dict":
            data, name, mime = export.state_dict_bytes(self.pg), stem + ".pt", "application/octet-stream"
        elif msg.what == "script":
            data, name, mime = export.script(self.pg).encode(), stem + ".py", "text/x-python"
        else:
            if self.jobs is None:
                return "what: rendering is not available in this studio"
            from .gallery_api import MAX_WAITING

            if sum(j.state == "queued" for j in self.jobs.list()) >= MAX_WAITING:
                return f"what: {MAX_WAITING} render jobs are waiting already; wait or cancel some in the gallery"
            from .movie import movie_trace

            trace = movie_trace(self.pg).to_dict()
            job = self.jobs.submit(f"playground run, {stem}", "deepviz.studio.movie:render_movie",
                                   {"trace": trace, "quality": msg.quality, "theme": msg.theme})
            return {"type": "job", "id": job.id}
        return {"type": "download", "filename": name, "mime": mime, "data": base64.b64encode(data).decode()}

    def train_for(self, seconds: float) -> None:
        """Train while playing, for about ``seconds``, at most ``speed`` epochs per second. A slow
        speed waits between epochs across calls, so the frames (and a pause) are never held up."""
        end = time.perf_counter() + seconds
        while self.playing:
            now = time.perf_counter()
            if now >= end:
                break
            if now < self.next_epoch_at:
                time.sleep(min(self.next_epoch_at, end) - now)
                continue
            with self.lock:
                if not self.playing:
                    break
                self.pg.train_epoch()
                self.version += 1
                self.next_epoch_at = now + 1.0 / self.speed
                if self.pg.diverged():
                    self.playing = False
                    self.error = {"type": "diverged", "epoch": self.pg.last_good_epoch(),
                                  "detail": "training diverged (the loss is not finite)"}
                    break


def points_from_csv(data: bytes) -> dict:
    """Rows (x1, x2, label) from CSV bytes: labels become classes 0..k-1 (k = 2 or 3), and points are
    scaled into the playground's plane [-6, 6]^2 when they reach outside it (the note says so)."""
    from ..tables import csv_rows, parse_rows
    from .engine import EXTENT, MAX_CUSTOM_POINTS

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParamError("file", "is not UTF-8 text; save it as CSV with columns x1,x2,label") from None
    try:
        raw = csv_rows(text.splitlines())
    except csv.Error as err:  # such as a field longer than the csv module's limit
        raise ParamError("file", f"is not CSV with columns x1,x2,label ({err})") from None
    rows = parse_rows(raw, ("x1", "x2", "label"), 2, MAX_CUSTOM_POINTS, "file")
    labels = sorted({r[2] for r in rows})
    if any(v != int(v) for v in labels) or not 2 <= len(labels) <= 3:
        raise ParamError("file", "the label column must hold 2 or 3 distinct integers, got "
                                 + ", ".join(f"{v:g}" for v in labels[:6]))
    reach = max(max(abs(r[0]), abs(r[1])) for r in rows)
    scale = EXTENT / reach if reach > EXTENT else 1.0
    classes = {v: i for i, v in enumerate(labels)}
    points = [[round(x1 * scale, 4), round(x2 * scale, 4), classes[c]] for x1, x2, c in rows]
    note = f"{len(points)} points, {len(labels)} classes"
    if scale != 1.0:
        note += f"; scaled by {scale:.3g} to fit [-{EXTENT:g}, {EXTENT:g}]"
    if labels != list(range(len(labels))):
        note += "; labels " + ", ".join(f"{v:g} → {i}" for v, i in classes.items())
    return {"points": points, "classes": len(labels), "note": note}


def _same_origin(origin: str | None, host: str | None) -> bool:
    """No Origin (a non-browser client), or an Origin naming this very server."""
    if origin is None:
        return True
    return host is not None and urlsplit(origin).netloc == host


LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")


def _host_allowed(host_header: str | None, allowed: frozenset[str] | None) -> bool:
    """The Host a request names must be this machine (or the address the studio was bound to): a page
    on another site that re-points its own name at 127.0.0.1 (DNS rebinding) still says its own name."""
    if allowed is None:  # bound to every interface on purpose: the origin check still applies
        return True
    try:
        name = urlsplit("//" + (host_header or "")).hostname
    except ValueError:
        return False
    return name is not None and name in allowed


def create_app(media: Path | None = None, host: str = "127.0.0.1") -> FastAPI:
    """The studio; ``media`` holds the rendered videos the gallery shows (default ./media), ``host`` is
    the address it serves (requests naming another host are refused)."""
    app = FastAPI(title="deepviz studio", docs_url=None, redoc_url=None)
    hosts = None if host in ("0.0.0.0", "::", "") else frozenset((*LOCAL_NAMES, host.strip("[]").lower()))
    from . import gallery_api

    gallery_api.mount(app, media)
    sessions: set[Session] = set()

    @app.middleware("http")
    async def refuse_other_origins(request: Request, call_next):
        if not _host_allowed(request.headers.get("host"), hosts):
            return JSONResponse({"detail": "host: requests must name this machine (127.0.0.1 or localhost)"},
                                status_code=403)
        if not _same_origin(request.headers.get("origin"), request.headers.get("host")):
            return JSONResponse({"detail": "requests from another origin are refused"}, status_code=403)
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError):
        first = err.errors()[0]
        if first["type"] == "json_invalid":  # its loc is ("body", the character where the JSON breaks)
            return field_error("body", f"not valid JSON ({first.get('ctx', {}).get('error', first['msg'])} "
                               f"at character {first['loc'][-1]})")
        field = ".".join(str(p) for p in first["loc"][1:]) or "body"
        return field_error(field, first["msg"])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException):
        if err.status_code == 400 and err.detail == "There was an error parsing the body":  # FastAPI's own 400
            return field_error("body", "not valid JSON (not UTF-8 text, or nested too deeply)")
        return await http_exception_handler(request, err)

    @app.get("/api/health")
    async def health():
        return {"status": "ok", "sessions": len(sessions)}

    @app.post("/api/points")
    async def upload_points(request: Request):
        """A CSV file of x1,x2,label rows (a header line is allowed), read as data only."""
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_UPLOAD:
                return field_error("file", f"larger than the {MAX_UPLOAD // 1024} KB limit", status=413)
        try:
            return points_from_csv(bytes(body))
        except ParamError as err:
            return field_error(err.param, err.message)

    @app.get("/", response_class=HTMLResponse)
    async def index():
        from .pages import playground_page

        return playground_page()

    @app.websocket("/ws/playground")
    async def playground(ws: WebSocket):
        if not (_host_allowed(ws.headers.get("host"), hosts) and _same_origin(ws.headers.get("origin"), ws.headers.get("host"))):
            await ws.close(code=1008)
            return
        if len(sessions) >= MAX_SESSIONS:
            await ws.close(code=1013)
            return
        await ws.accept()
        session = Session(getattr(app.state, "jobs", None))
        sessions.add(session)
        loop = asyncio.get_running_loop()
        sender = asyncio.create_task(_send_frames(ws, session, loop))
        try:
            while True:
                msg, error = protocol.parse(await _receive(ws))
                if error is None:
                    error = await loop.run_in_executor(None, session.handle, msg)
                else:
                    with session.lock:
                        session.received += 1
                if isinstance(error, dict):  # a reply: a file to save, a queued job
                    await ws.send_json(error)
                elif error is not None:
                    await ws.send_json({"type": "error", "detail": error})
        except (WebSocketDisconnect, RuntimeError):  # the tab closed (RuntimeError: a send raced the close)
            pass
        finally:
            session.playing = False
            sender.cancel()
            with suppress(asyncio.CancelledError):
                await sender
            sessions.discard(session)

    from fastapi.staticfiles import StaticFiles

    from .pages import STATIC

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.state.sessions = sessions
    return app


async def _receive(ws: WebSocket) -> str | bytes:
    """The next message's text, or its bytes when it came as a binary frame (parsed alike, never a KeyError)."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    return message["text"] if message.get("text") is not None else message.get("bytes") or b""


async def _send_frames(ws: WebSocket, session: Session, loop) -> None:
    """Train between frames (in a worker thread) and send a frame each 1/FPS seconds."""
    with suppress(WebSocketDisconnect, RuntimeError):  # the tab closed while a frame was on its way
        await _frames(ws, session, loop)


async def _frames(ws: WebSocket, session: Session, loop) -> None:
    # Each tick of 1/FPS s: train for what the last frame left of the tick, then build and send a
    # frame. Frame building (a few ms) holds the session lock, so it comes out of the training
    # budget rather than stretching the tick: the page gets FPS frames a second.
    sent, frame_cost = -1, 0.0
    sent_len, sent_last = 0, None  # the page has the history up to this entry (the same object)
    period = 1.0 / FPS
    while True:
        started = time.perf_counter()
        if session.playing:
            await loop.run_in_executor(None, session.train_for, max(0.002, period - frame_cost - 0.004))
        built = time.perf_counter()
        with session.lock:
            version = session.version
            data = None
            if version != sent:
                history = session.pg.history
                # only the new loss-history entries, when the page holds the rest (same run, not cut back)
                known = sent_len if len(history) >= sent_len > 0 and history[sent_len - 1] is sent_last else 0
                data = protocol.frame(session.pg, epoch=session.view, history_from=known)
                sent_len, sent_last = len(history), history[-1] if history else None
            error, session.error = session.error, None
        if data is not None:
            data["playing"] = session.playing
            data["received"] = session.received
            await ws.send_json(data)
            sent = version
            frame_cost = 0.8 * frame_cost + 0.2 * (time.perf_counter() - built)
        if error:
            await ws.send_json(error)
        await asyncio.sleep(max(0.0, period - (time.perf_counter() - started)))
