"""The studio's web server: FastAPI, one playground session per websocket (one per tab).

Training runs in worker processes (``workers.py``: one per core, each hosting many sessions); the
server relays a page's messages to its session's worker and the worker's frames (losses, weights,
heatmaps, at most ``workers.FPS`` a second) back, so the event loop stays free for every request.
Closing the tab closes the socket and frees the session. Requests from another origin are refused:
a page the user visits must not drive the local studio.
"""
from __future__ import annotations

import asyncio
import csv
import json
from contextlib import suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..params import ParamError
from . import protocol
from .errors import field_error
from .limits import BodyLimit, TooLarge

MAX_SESSIONS = 16
# What a client may send, refused before it is read whole: a request body (limits.BodyLimit), a websocket
# message (the server's ws_max_size; protocol.MAX_MESSAGE answers a smaller one politely).
MAX_BODY = 1024 * 1024  # any request body (a route may set less)
FULL = "the studio is full ({} session{}); close a tab or start it with --max-sessions"
TRY_AGAIN_LATER = 1013  # the websocket close code for a server that cannot take the session now
MAX_UPLOAD = 256 * 1024  # bytes of CSV
SERVER_OPTIONS: dict[str, Any] = {"ws_max_size": MAX_BODY}  # uvicorn's own cap: a larger websocket message closes it unread (1009)


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


def _socket_allowed(ws: WebSocket, hosts: frozenset[str] | None) -> bool:
    """A websocket from this machine's own pages (the middleware sees only HTTP requests)."""
    host = ws.headers.get("host")
    return _host_allowed(host, hosts) and _same_origin(ws.headers.get("origin"), host)


def create_app(media: Path | None = None, host: str = "127.0.0.1", max_sessions: int = MAX_SESSIONS,
               cnn=None, logdir: Path | None = None, transformer=None, cluster: str | None = None) -> FastAPI:
    """The studio; ``media`` holds the rendered videos the gallery shows (default ./media), ``host`` is
    the address it serves (requests naming another host are refused), ``max_sessions`` the playground
    tabs it hosts at once (one more is told the studio is full), ``cnn`` builds the CNN page's network
    (default: the digits CNN; ``deepviz studio --model`` passes the user's), ``transformer()`` the
    attention maps of the user's own transformer (``--model`` with token ids) for the transformer page,
    ``cluster`` a Ray address (``ray`` or ``ray://HOST:PORT``: see :mod:`deepviz.cluster`) or None."""
    from . import cnn_page
    from .gallery_api import BODY_LIMITS as GALLERY_LIMITS
    from .workers import shared_pool

    app = FastAPI(title="deepviz studio", docs_url=None, redoc_url=None)
    app.state.cluster = cluster
    app.add_middleware(BodyLimit, limits={"/api/points": ("file", MAX_UPLOAD), "/api/cnn/image": ("file", cnn_page.MAX_IMAGE),
                                          **GALLERY_LIMITS}, default=("body", MAX_BODY))
    if cluster is None:
        pool = shared_pool()  # started now: the workers import torch while the page loads
    else:
        from .ray_pool import shared_ray_pool

        pool = shared_ray_pool(cluster)  # the playground's sessions in Ray actors (studio/ray_pool.py)
    hosts = None if host in ("0.0.0.0", "::", "") else frozenset((*LOCAL_NAMES, host.strip("[]").lower()))
    from . import gallery_api

    gallery_api.mount(app, media, cluster)
    sessions: set = set()  # workers.Remote, one per open playground

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
        if isinstance(err, TooLarge):
            return err.response()
        return await http_exception_handler(request, err)

    @app.get("/api/health")
    async def health():
        return {"status": "ok", "sessions": len(sessions)}

    @app.get("/api/playground/schema")
    async def settings_schema():
        """The playground's settings as JSON Schema: the page's URL codec and controls come from it."""
        return protocol.settings_schema()

    @app.post("/api/points")
    async def upload_points(request: Request):
        """A CSV file of x1,x2,label rows (a header line is allowed), read as data only."""
        try:
            return points_from_csv(await request.body())
        except ParamError as err:
            return field_error(err.param, err.message)

    @app.get("/", response_class=HTMLResponse)
    async def index():
        from .pages import playground_page

        return playground_page()

    @app.websocket("/ws/playground")
    async def playground(ws: WebSocket):
        await session_socket(ws, "playground")

    async def session_socket(ws: WebSocket, page: str):
        """A tab's session of ``page`` in a training worker, relayed both ways until the tab closes."""
        if not _socket_allowed(ws, hosts):
            await ws.close(code=1008)
            return
        await ws.accept()  # accepted first, so that the page can read why it is closed
        if len(sessions) >= max_sessions:
            await ws.close(code=TRY_AGAIN_LATER, reason=FULL.format(max_sessions, "s" * (max_sessions != 1)))
            return
        loop = asyncio.get_running_loop()
        outbox: asyncio.Queue[str] = asyncio.Queue()

        def deliver(text: str) -> None:  # called from the pool's reader thread: hand over to the loop
            loop.call_soon_threadsafe(outbox.put_nowait, text)

        session = pool.open(deliver, page)
        sessions.add(session)
        sender = asyncio.create_task(_relay(ws, outbox, getattr(app.state, "jobs", None)))
        try:
            while True:
                session.send(await _receive(ws))
        except (WebSocketDisconnect, RuntimeError):  # the tab closed (RuntimeError: a send raced the close)
            pass
        finally:
            session.close()
            sender.cancel()
            with suppress(asyncio.CancelledError):
                await sender
            sessions.discard(session)

    _mount_optimise(app, hosts)
    cnn_page.mount(app, lambda ws: _socket_allowed(ws, hosts), cnn)
    _mount_gan(app, session_socket)
    _mount_runs(app, logdir)
    from . import transformer_page

    transformer_page.mount(app, transformer, lambda ws: _socket_allowed(ws, hosts))
    from fastapi.staticfiles import StaticFiles

    from .pages import STATIC

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.state.sessions = sessions
    return app


def _mount_optimise(app: FastAPI, hosts: frozenset[str] | None) -> None:
    """The optimiser page: its paths are short (milliseconds of torch), so the server computes them in a
    thread, one at a time per socket, rather than in a training worker."""
    from . import optimise

    @app.get("/optimise", response_class=HTMLResponse)
    async def optimise_page():
        from .pages import page

        return page("optimise")

    async def settings_or_error(request: Request):
        try:
            return optimise.settings_from(await request.body() or b"{}")
        except optimise.Refused as err:
            return field_error(err.field, err.message)

    @app.post("/api/optimise/path")
    async def optimise_path(request: Request):
        """The path for the settings in the body (every field optional), or 422 naming the field."""
        settings = await settings_or_error(request)
        if isinstance(settings, Response):
            return settings
        return await asyncio.to_thread(lambda: {**optimise.path(settings), "surface": optimise.surface(settings)})

    @app.get("/api/optimise/schema")
    async def optimise_schema():
        return optimise.settings_schema()

    @app.post("/api/optimise/script")
    async def optimise_script(request: Request):
        """The path of the settings in the body as a standalone PyTorch script, or 422 naming the field."""
        from .optimise_export import script

        settings = await settings_or_error(request)
        if isinstance(settings, Response):
            return settings
        text = await asyncio.to_thread(script, settings)
        return Response(text, media_type="text/x-python",
                        headers={"content-disposition": 'attachment; filename="optimiser_path.py"'})

    @app.websocket("/ws/optimise")
    async def optimise_socket(ws: WebSocket):
        if not _socket_allowed(ws, hosts):
            await ws.close(code=1008)
            return
        await ws.accept()
        shown = None  # the surface the page has
        with suppress(WebSocketDisconnect, RuntimeError):
            while True:
                reply = await asyncio.to_thread(optimise.answer, await _receive(ws), shown)
                shown = reply.get("surface", {}).get("key", shown)
                await ws.send_text(json.dumps(reply, separators=(",", ":")))


def _mount_gan(app: FastAPI, session_socket) -> None:
    """The GAN page: its sessions are the playground's machinery with the GAN engine (studio/gan_session.py)."""

    @app.get("/gan", response_class=HTMLResponse)
    async def gan_page():
        from .pages import page

        return page("gan")

    @app.get("/api/gan/schema")
    async def gan_schema():
        from .gan_protocol import settings_schema

        return settings_schema()

    @app.websocket("/ws/gan")
    async def gan_socket(ws: WebSocket):
        await session_socket(ws, "gan")

    @app.get("/api/vae/schema")
    async def vae_schema():
        from .vae_session import settings_schema

        return settings_schema()

    @app.websocket("/ws/vae")
    async def vae_socket(ws: WebSocket):  # the page's VAE / autoencoder mode
        await session_socket(ws, "vae")


def _mount_runs(app: FastAPI, logdir: Path | None) -> None:
    """The runs page (``--logdir``): the page polls; each poll reads only what the event files gained."""
    from . import runs

    store = runs.Runs(logdir) if logdir is not None else None

    @app.get("/runs", response_class=HTMLResponse)
    async def runs_page():
        from .pages import page

        return page("runs")

    @app.post("/api/runs/poll")
    async def runs_poll(request: Request):
        if store is None:
            return field_error("logdir", "the studio was started without --logdir (deepviz studio --logdir runs/)")
        try:
            since = runs.since_from(await request.body())
        except runs.Refused as err:
            return field_error(err.field, err.message)
        return await asyncio.to_thread(store.poll, since)


async def _receive(ws: WebSocket) -> str | bytes:
    """The next message's text, or its bytes when it came as a binary frame (parsed alike, never a KeyError)."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    return message["text"] if message.get("text") is not None else message.get("bytes") or b""


async def _relay(ws: WebSocket, outbox: asyncio.Queue, jobs) -> None:
    """Send the page what its worker sent, in order. Frames that piled up behind a slow page (a frozen
    tab) go as one: the latest, carrying every loss-history entry of those it replaces."""
    with suppress(WebSocketDisconnect, RuntimeError):  # the tab closed while a frame was on its way
        while True:
            texts = [await outbox.get()]
            while not outbox.empty():
                texts.append(outbox.get_nowait())
            for text in _coalesced(texts):
                if text.startswith('{"type":"render"'):
                    text = json.dumps(_submit(jobs, json.loads(text)))
                await ws.send_text(text)


def _coalesced(texts: list[str]) -> list[str]:
    """Runs of frames merged into their last one (other messages kept, in order)."""
    if len(texts) == 1:
        return texts
    out: list[str] = []
    run: list[str] = []
    for text in texts + [""]:
        if text.startswith('{"type":"frame"'):
            run.append(text)
            continue
        if run:
            out.append(run[0] if len(run) == 1 else json.dumps(_merge([json.loads(t) for t in run])))
            run = []
        if text:
            out.append(text)
    return out


def _merge(frames: list[dict]) -> dict:
    """The last frame, with the loss history of all (a frame either continues the page's history from
    ``history_from`` or, ``history_from`` 0, replaces it) and the newest points any of them carried
    (a frame carries them only when the data set changed)."""
    history, start, points = [], frames[0]["history_from"], {}
    for f in frames:
        if f["history_from"] == 0:
            history, start = list(f["history"]), 0
        else:
            history += f["history"]
        if "points" in f:
            points = {"points": f["points"]}
    return {**frames[-1], **points, "history": history, "history_from": start}


def _submit(jobs, request: dict) -> dict:
    """A worker's render request (the MP4 export) as a job of the studio's render queue, or an error."""
    if jobs is None:
        return {"type": "error", "detail": "what: rendering is not available in this studio"}
    from .gallery_api import MAX_WAITING

    if sum(j.state == "queued" for j in jobs.list()) >= MAX_WAITING:
        return {"type": "error",
                "detail": f"what: {MAX_WAITING} render jobs are waiting already; wait or cancel some in the gallery"}
    job = jobs.submit(request["title"], request["target"], request["args"])
    return {"type": "job", "id": job.id}
