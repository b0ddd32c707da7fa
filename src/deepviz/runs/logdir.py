"""Read any TensorBoard logdir with TensorBoard's own reader, incrementally (a run being written grows).

A run is a folder holding ``events.out.tfevents.*`` files (TensorBoard's rule, ``io_wrapper``). Each file is
read by ``event_file_loader.RawEventFileLoader``, which keeps its place: ``Run.reload()`` reads only what was
appended since. Scalars come from ``simple_value`` (torch's SummaryWriter, tensorboardX) or a scalar tensor
(TF2's writer); histograms from ``histo`` or a histogram tensor. A truncated or corrupt file is read as far as
it is readable, and the bytes left unread are reported in ``Run.problems`` (a run still being written
may end in half a record: that is reported too, and read on the next reload).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..params import ParamError, quote_path

RECORD_OVERHEAD = 16  # a TFRecord frames its data with a length (8 bytes) and two CRCs (4 + 4)


@dataclass
class Histogram:
    step: int
    limits: list[float]  # bucket right edges (the first bucket starts at lo)
    counts: list[float]
    lo: float
    hi: float


@dataclass
class Run:
    """One run's series, as read so far: ``scalars[tag] = (steps, values)``, ``histograms[tag] = [Histogram]``."""

    name: str
    path: Path
    scalars: dict[str, tuple[list[int], list[float]]] = field(default_factory=dict)
    histograms: dict[str, list[Histogram]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    _loaders: dict = field(default_factory=dict, repr=False)  # event file -> [loader, bytes read]

    def reload(self) -> int:
        """Read what was appended since the last reload (new event files too); the number of new values."""
        from tensorboard.backend.event_processing import event_file_loader, io_wrapper
        from tensorboard.compat.proto import event_pb2

        from .crc import use_fast_crc

        use_fast_crc()
        new = 0
        self.problems = []
        files = sorted(f for f in os.listdir(self.path) if io_wrapper.IsTensorFlowEventsFile(f))
        for name in files:
            path = str(self.path / name)
            if path not in self._loaders:
                self._loaders[path] = [event_file_loader.RawEventFileLoader(path), 0]
            entry = self._loaders[path]
            for record in entry[0].Load():
                entry[1] += len(record) + RECORD_OVERHEAD
                new += self._add(event_pb2.Event.FromString(record))  # type: ignore[attr-defined]  # generated protobuf
            left = os.path.getsize(path) - entry[1]
            if left > 0:
                self.problems.append(f"{name}: the last {left} bytes are truncated or corrupt (read up to byte "
                                     f"{entry[1]})")
        return new

    def _add(self, event) -> int:
        from tensorboard.util import tensor_util

        n = 0
        step = int(event.step)
        for v in event.summary.value:
            plugin = v.metadata.plugin_data.plugin_name
            if v.HasField("simple_value"):
                self._scalar(v.tag, step, v.simple_value)
            elif v.HasField("histo"):
                h = v.histo
                self._histogram(v.tag, Histogram(step, list(h.bucket_limit), list(h.bucket), h.min, h.max))
            elif v.HasField("tensor") and plugin == "scalars":
                self._scalar(v.tag, step, float(tensor_util.make_ndarray(v.tensor)))
            elif v.HasField("tensor") and plugin == "histograms":
                import numpy as np

                a = np.asarray(tensor_util.make_ndarray(v.tensor))  # rows (left, right, count)
                if a.ndim == 2 and a.shape[0] and a.shape[1] == 3:
                    self._histogram(v.tag, Histogram(step, a[:, 1].tolist(), a[:, 2].tolist(),
                                                     float(a[0, 0]), float(a[-1, 1])))
            else:
                continue  # images, text, graphs...: not shown here
            n += 1
        return n

    def _scalar(self, tag: str, step: int, value: float) -> None:
        steps, values = self.scalars.setdefault(tag, ([], []))
        steps.append(step)
        values.append(float(value))

    def _histogram(self, tag: str, h: Histogram) -> None:
        self.histograms.setdefault(tag, []).append(h)

    @property
    def last_step(self) -> int:
        return max((s[0][-1] for s in self.scalars.values() if s[0]), default=-1)


def run_folders(logdir: Path) -> list[Path]:
    """Every folder under ``logdir`` (itself included) that holds event files, sorted."""
    from tensorboard.backend.event_processing import io_wrapper

    return sorted(Path(d) for d in io_wrapper.GetLogdirSubdirectories(str(logdir)))


def run_name(logdir: Path, folder: Path) -> str:
    rel = folder.relative_to(logdir).as_posix()
    return rel if rel != "." else folder.name


def check_logdir(logdir: Path) -> None:
    if not logdir.exists():
        raise ParamError("logdir", f"{quote_path(logdir)} does not exist")
    if not logdir.is_dir():
        raise ParamError("logdir", f"{quote_path(logdir)} is a file; name a folder of TensorBoard runs")


def read_logdir(logdir: str | Path) -> list[Run]:
    """Every run under ``logdir``, read whole; a ParamError naming ``logdir`` when there is none."""
    root = Path(logdir)
    check_logdir(root)
    runs = [Run(run_name(root, f), f) for f in run_folders(root)]
    for r in runs:
        r.reload()
    if not any(r.scalars or r.histograms for r in runs):
        raise ParamError("logdir", f"{quote_path(root)} holds no TensorBoard events (no events.out.tfevents.* "
                                   "file with scalars or histograms)")
    return runs
