"""Subtitle files from a scene's timed narration: SubRip (.srt, via the ``srt`` package) and WebVTT."""
from __future__ import annotations

from datetime import timedelta
from typing import Iterable, Protocol

import srt


class TimedText(Protocol):
    start: float
    end: float
    text: str


def to_srt(cues: Iterable[TimedText]) -> str:
    subs = [
        srt.Subtitle(index=n, start=timedelta(seconds=c.start), end=timedelta(seconds=c.end), content=c.text)
        for n, c in enumerate((c for c in cues if c.end > c.start), start=1)
    ]
    return srt.compose(subs)


def to_vtt(cues: Iterable[TimedText]) -> str:
    lines = ["WEBVTT", ""]
    for c in cues:
        if c.end <= c.start:
            continue
        lines += [f"{_vtt_time(c.start)} --> {_vtt_time(c.end)}", c.text.replace("-->", "\u2192"), ""]
    return "\n".join(lines)


def _vtt_time(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"
