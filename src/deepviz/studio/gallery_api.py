"""The studio's gallery: rendered videos, each concept's parameters as a form, and render jobs.

- ``GET /gallery``: the page.
- ``GET /api/concepts``: every concept with its presets and declared parameters (the form is
  generated from these, no per-concept code).
- ``GET /api/gallery``: the videos already rendered under the media folder (``deepviz gallery``
  writes ``media/gallery/{concept}/{example}_{quality}_{theme}.mp4``, ``deepviz render``
  ``media/{concept}/...``); ``GET /api/gallery/{concept}/{file}`` serves only files of that listing.
- ``POST /api/render``: validate with the concept's parameters, compute the trace (off the event
  loop) and queue a render job with it: a job that starts has a trace that computed. A body over
  ``MAX_BODY`` bytes answers 413 (the studio's ``limits.BodyLimit``, from :data:`BODY_LIMITS`).
- ``GET /api/jobs``, ``GET|DELETE /api/jobs/{id}``, ``GET /api/jobs/{id}/file|captions``.

No request names a path on the server: files are looked up by names in a listing, and a
parameter that may name a file or a module (``names_files``) takes only a preset's value or
numbers typed in. Bad input answers 422 ``{"detail": "<field>: <message>", "field": "<field>"}``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import catalog
from ..params import Bool, Choice, Float, Int, Param, ParamError
from ..render import QUALITIES, THEMES
from .errors import field_error
from .jobs import Job, JobQueue, one_line

STUDIO_QUALITIES = ("low", "medium")
MAX_WAITING = 20  # queued jobs at most; more are refused until some finish
MAX_BODY = 64 * 1024  # bytes of a render request: a concept, a preset and a few typed values
BODY_LIMITS = {"/api/render": ("body", MAX_BODY)}  # path -> (field, cap) for the app's limits.BodyLimit
RENDER_JOB = "deepviz.studio.jobs:render_concept_job"
SOURCES = ("gallery", ".")  # media/gallery (deepviz gallery) first, then media (deepviz render)
SERVED = (".mp4", ".vtt", ".poster.jpg", ".trace.json")
_STEM = re.compile(rf"^(?P<example>.+)_(?P<quality>{'|'.join(QUALITIES)})_(?P<theme>{'|'.join(THEMES)})"
                   r"(?P<captioned>_captioned)?$")
_TYPED_NUMBERS = re.compile(r"[\d\s.,;eE+\-]*")


class RenderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    concept: str = Field(max_length=100)
    preset: str | None = Field(default=None, max_length=100)
    values: dict[str, Any] = Field(default_factory=dict)  # parameter name -> text or number
    quality: str = "low"
    theme: str = "dark"


def mount(app: FastAPI, media: Path | None = None, cluster: str | None = None) -> JobQueue:
    """Add the gallery's routes to ``app``; render jobs write under ``media/studio`` and run as Ray tasks on
    ``cluster`` (the studio's ``app.state.cluster``), if given."""
    media = Path("media") if media is None else Path(media)
    queue = JobQueue(media / "studio", cluster=cluster)
    app.state.jobs = queue  # one queue for the studio: other exports queue here too
    app.router.add_event_handler("shutdown", queue.shutdown)
    router = APIRouter()

    @router.get("/gallery", response_class=HTMLResponse)
    def gallery():
        from .pages import gallery_page

        return gallery_page()

    @router.get("/api/concepts")
    def concepts():
        return {"concepts": [concept_json(c) for c in catalog.course()],
                "qualities": list(STUDIO_QUALITIES), "themes": list(THEMES)}

    @router.get("/api/gallery")
    def videos():
        return {"videos": [v.to_json() for v in gallery_videos(media)]}

    @router.get("/api/gallery/{concept}/{name}")
    def gallery_file(concept: str, name: str):
        files = {(v.concept, f.name): f for v in gallery_videos(media) for f in v.files}
        path = files.get((concept, name))
        if path is None or not path.is_file():
            return _not_found(f"no rendered file {concept}/{name} in the gallery")
        return FileResponse(path, media_type=_media_type(path))

    tracing: list[anyio.CapacityLimiter] = []  # made on the first request, inside the event loop

    @router.post("/api/render")
    async def render(request: Request):
        req = parse_request(await request.body())
        if isinstance(req, JSONResponse):
            return req
        if sum(j.state == "queued" for j in queue.list()) >= MAX_WAITING:
            return JSONResponse({"detail": f"{MAX_WAITING} jobs are waiting already: wait or cancel some"},
                                status_code=429)
        if not tracing:  # one computation at a time: some seed torch's global generator (rnn, model-forward)
            tracing.append(anyio.CapacityLimiter(1))
        try:  # PyTorch computes the trace in a worker thread: the event loop stays free
            kwargs, title = await anyio.to_thread.run_sync(render_job, req, limiter=tracing[0])
        except ParamError as err:
            return field_error(err.param, err.message)
        return job_json(queue.submit(title, RENDER_JOB, kwargs))

    @router.get("/api/jobs")
    def jobs():
        return {"jobs": [job_json(j) for j in queue.list()], "workers": queue.workers}

    @router.get("/api/jobs/{job_id}")
    def job(job_id: str):
        found = _job(queue, job_id)
        return job_json(found) if isinstance(found, Job) else found

    @router.delete("/api/jobs/{job_id}")
    def cancel(job_id: str):
        found = _job(queue, job_id)
        if not isinstance(found, Job):
            return found
        queue.cancel(job_id)
        return job_json(found)

    @router.get("/api/jobs/{job_id}/file")
    def job_file(job_id: str):
        found = _job(queue, job_id)
        if not isinstance(found, Job):
            return found
        if found.state != "done" or found.file is None:
            return _not_found(f"job {job_id} is {found.state}: no file")
        if not found.file.is_file():
            return _not_found(f"job {job_id}: its file was removed from the server")
        return FileResponse(found.file, media_type=_media_type(found.file))

    @router.get("/api/jobs/{job_id}/captions")
    def job_captions(job_id: str):
        found = _job(queue, job_id)
        if not isinstance(found, Job):
            return found
        captions = _captions(found)
        if captions is None:
            return _not_found(f"job {job_id} is {found.state}: no captions")
        return FileResponse(captions, media_type="text/vtt")

    app.include_router(router)
    return queue


# -- concepts and their parameters ------------------------------------------------------------------
def concept_json(c: catalog.Concept) -> dict[str, Any]:
    after = catalog.next_in_course(c.name)
    return {
        "name": c.name, "title": c.title, "summary": c.summary, "description": c.description,
        "default_preset": c.default_preset.name,
        "next": {"name": after.name, "title": after.title, "summary": after.summary} if after else None,
        "presets": [{"name": p.name, "summary": p.summary, "values": form_values(c, c.resolve(p.name)[1])}
                    for p in c.presets],
        "params": [param_json(p) for p in c.params],
    }


def form_values(c: catalog.Concept, values: dict[str, Any]) -> dict[str, str]:
    return {p.name: form_text(p, values[p.name]) for p in c.params}


def form_text(p: Param, value: Any) -> str:
    """A value as a user types it; "" for a derived one (such as output padding's auto)."""
    return "" if value is None else p.format(value)


def param_json(p: Param) -> dict[str, Any]:
    """A declared parameter as the page needs it to draw an input and explain it."""
    if isinstance(p, (Int, Float)):
        control = "number"
    elif isinstance(p, Bool):
        control = "checkbox"
    elif isinstance(p, Choice):
        control = "select"
    else:
        control = "text"
    out: dict[str, Any] = {"name": p.name, "type": p.type_name(), "control": control,
                           "default": form_text(p, p.default),
                           "help": p.help, "allowed": p.allowed(), "names_files": p.names_files}
    for attr in ("min", "max", "choices"):
        value = getattr(p, attr, None)
        if value is not None:
            out[attr] = list(value) if attr == "choices" else value
    if control == "number":
        out["step"] = 1 if isinstance(p, Int) else "any"
    return out


# -- render requests --------------------------------------------------------------------------------
def parse_request(body: bytes) -> RenderRequest | JSONResponse:
    """The request, or the 422 answer naming the field (the app's handler words a field's error)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as err:  # not UTF-8, broken, or nested too deeply
        return field_error("body", f"not valid JSON ({one_line(err)[:100]})")
    try:
        return RenderRequest.model_validate(data)
    except ValidationError as err:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in err.errors()]) from None


def render_job(req: RenderRequest) -> tuple[dict[str, Any], str]:
    """The render job's arguments (with the computed trace) and title, or a ParamError naming the field.

    Everything that can fail before the scene is checked here: the values parse and resolve, and
    PyTorch computes the trace (slow for some concepts: call it off the event loop).
    """
    c = catalog.get(req.concept)
    preset = req.preset or (None if req.values else c.default_preset.name)
    if preset is not None:
        c.preset(preset)
    if req.quality not in STUDIO_QUALITIES:
        raise ParamError("quality", f"must be one of {', '.join(STUDIO_QUALITIES)}; got {req.quality!r}")
    if req.theme not in THEMES:
        raise ParamError("theme", f"must be one of {', '.join(THEMES)}; got {req.theme!r}")
    for key, value in req.values.items():
        param = c.params.get(key.replace("-", "_"))
        if param.names_files:
            check_names_nothing(c, param, value)
    _, resolved = c.resolve(preset, **req.values)
    base = c.resolve(preset)[1] if preset else c.params.resolve()
    changed = {name: v for name, v in resolved.items() if v != base[name]}
    trace = compute(c, preset, changed, blame="values" if req.values else "preset")
    kwargs = {"trace": trace.to_dict(), "quality": req.quality, "theme": req.theme}
    shown = ", ".join(f"{name}={c.params.get(name).format(v)}" for name, v in changed.items())
    example = (preset or "defaults") + (f" with {shown}" if shown else "")
    if len(example) > 100:
        example = example[:99] + "…"
    return kwargs, f"{c.name}: {example} ({req.quality}, {req.theme})"


def compute(c: catalog.Concept, preset: str | None, values: dict[str, Any], blame: str):
    """The trace; a failure that is not a ParamError is one too, blamed on ``blame`` (the values or preset)."""
    try:
        return c.trace(preset, **values)
    except ParamError:
        raise
    except Exception as err:  # noqa: BLE001 - a value the parameter checks let through: still the user's field
        raise ParamError(blame, f"the example cannot be computed ({one_line(err)})") from None


def check_names_nothing(c: catalog.Concept, param: Param, value: Any) -> None:
    """A value of a ``names_files`` parameter: a preset's value, or numbers that name no file."""
    if not isinstance(value, str):
        return  # not text: the parameter's own check refuses it
    allowed = sorted({param.format(p.values.get(param.name, param.default)) for p in c.presets})
    text = value.strip()
    if text in allowed or (_TYPED_NUMBERS.fullmatch(text) and text and not _names_a_path(text)):
        return
    raise ParamError(param.name, f"the studio opens no file or module on the server; use "
                                 f"{' or '.join(map(repr, allowed))}, or values typed in")


def _names_a_path(text: str) -> bool:
    try:
        return Path(text).exists()
    except OSError:  # such as a name too long for the file system: it names nothing
        return False


# -- jobs -------------------------------------------------------------------------------------------
def job_json(job: Job) -> dict[str, Any]:
    return {**job.to_json(), "captions": f"/api/jobs/{job.id}/captions" if _captions(job) else None}


def _captions(job: Job) -> Path | None:
    if job.state != "done" or job.file is None:
        return None
    vtt = job.file.with_suffix(".vtt")
    return vtt if vtt.is_file() else None


def _job(queue: JobQueue, job_id: str) -> Job | JSONResponse:
    try:
        return queue.get(job_id)
    except KeyError:
        return _not_found(f"no job {job_id!r}")


def _not_found(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=404)


def _media_type(path: Path) -> str:
    return {".mp4": "video/mp4", ".vtt": "text/vtt", ".jpg": "image/jpeg", ".json": "application/json",
            ".gif": "image/gif", ".png": "image/png"}.get(path.suffix, "application/octet-stream")


# -- the rendered videos ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Video:
    concept: str
    stem: str
    example: str
    quality: str
    theme: str
    captioned: bool
    summary: str
    files: tuple[Path, ...]  # the .mp4 and whichever of its .vtt, poster and trace exist

    def url(self, suffix: str) -> str | None:
        if not any(f.name == self.stem + suffix for f in self.files):
            return None
        return f"/api/gallery/{quote(self.concept)}/{quote(self.stem + suffix)}"

    def to_json(self) -> dict[str, Any]:
        return {"concept": self.concept, "example": self.example, "summary": self.summary, "quality": self.quality,
                "theme": self.theme, "captioned": self.captioned, "video": self.url(".mp4"),
                "captions": self.url(".vtt"), "poster": self.url(".poster.jpg"), "trace": self.url(".trace.json")}


def gallery_videos(media: Path) -> list[Video]:
    """Every rendered video of a known concept under ``media``: by concept (the course's order), presets in
    order, then custom."""
    root = media.resolve()
    listing: list[Video] = []
    for c in catalog.course():
        order = {p.name: n for n, p in enumerate(c.presets)}
        videos: dict[str, Video] = {}  # by stem: media/gallery's copy wins
        for source in SOURCES:
            folder = media / source / c.name
            for mp4 in sorted(folder.glob("*.mp4")) if folder.is_dir() else ():
                m = _STEM.match(mp4.stem)
                if m is None or mp4.stem in videos:
                    continue
                files = tuple(f for f in (mp4.with_name(mp4.stem + s) for s in SERVED)
                              if f.is_file() and f.resolve().is_relative_to(root))
                if not files or files[0] != mp4:
                    continue  # the video itself lies outside the media folder (a link)
                example = m["example"]
                summary = c.preset(example).summary if example in order else "an example with its own values"
                videos[mp4.stem] = Video(c.name, mp4.stem, example, m["quality"], m["theme"],
                                         bool(m["captioned"]), summary, files)
        listing += sorted(videos.values(), key=lambda v: (order.get(v.example, len(order)), v.example,
                                                          list(QUALITIES).index(v.quality), v.theme, v.captioned))
    return listing
