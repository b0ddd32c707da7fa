"""Interrupted work leaves nothing behind: SIGTERM and SIGINT in the middle of `deepviz render` and
`deepviz gallery`, and a gallery render process killed outright."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deepviz.gallery import build_gallery, is_current, plan

pytestmark = pytest.mark.render
SRC = str(Path(__file__).resolve().parents[1] / "src")


def _interruptible() -> None:
    # A background job of a non-interactive shell (make, CI) inherits SIGINT ignored; a user's Ctrl+C
    # reaches a foreground deepviz, so the child starts with the default action, as in a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def deepviz_cli(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.Popen([sys.executable, "-m", "deepviz.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_interruptible)


def wait_for_partial_video(out: Path, process: subprocess.Popen, timeout: float = 240) -> Path:
    """A render's temporary folder once Manim has written a partial movie into it (mid-render)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert process.poll() is None, process.communicate()
        partial = next(out.rglob(".render-*/**/*.mp4"), None)
        if partial is not None:
            return partial
        time.sleep(0.2)
    process.kill()
    raise TimeoutError("no render started")


def signal_state(pid: int) -> str:
    """The process's blocked and ignored signal masks (what a failure needs to be understood)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return "gone"
    return " ".join(line for line in lines if line.startswith(("SigBlk", "SigIgn", "SigCgt")))


def leftovers(out: Path) -> list[str]:
    """Temporary folders, and videos without their captions and trace (a half-moved render)."""
    temp = [str(p) for p in out.rglob(".render-*")]
    half = [str(v) for v in out.rglob("*.mp4") if not v.with_suffix(".vtt").is_file()
            or not v.with_name(v.name[:-4] + ".trace.json").is_file()]
    return temp + half


@pytest.mark.parametrize("signum, status, word", [(signal.SIGTERM, 143, "terminated"),
                                                  (signal.SIGINT, 130, "interrupted")])
def test_a_signal_mid_render_leaves_nothing_and_says_one_line(tmp_path, signum, status, word):
    out = tmp_path / "media"
    process = deepviz_cli("render", "linear-map", "--preset", "rotation", "-q", "low", "-o", str(out))
    wait_for_partial_video(out, process)
    state = signal_state(process.pid)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == status, (state, stderr[-500:], sorted(p.name for p in out.rglob("*")))
    assert stderr.strip() == f"deepviz: {word}", stderr
    assert leftovers(out) == []
    assert not list(out.rglob("*.mp4"))


def test_sigterm_stops_the_gallery_and_its_render_processes(tmp_path):
    out = tmp_path / "gallery"
    process = deepviz_cli("gallery", "-q", "low", "-j", "2", "--concept", "linear-map", "--no-voice", "-o", str(out))
    partial = wait_for_partial_video(out, process)
    worker = int(partial.relative_to(out).parts[1].split("-")[1])  # .render-<pid>-XXXX
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 143, stderr
    assert stderr.strip().splitlines()[-1] == "deepviz: terminated"
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)  # the render process is gone too
    assert leftovers(out) == []
    for key in out.rglob("*.key"):  # a key vouches only for a preset rendered whole before the signal
        assert all(key.with_name(key.stem + ext).is_file() for ext in (".mp4", ".vtt", ".trace.json")), key


def test_a_killed_render_process_fails_its_preset_alone_and_the_next_build_renders_it(tmp_path, capsys):
    """SIGKILL leaves a temporary folder its process cannot remove: the other presets render (the next
    render into that folder removes the abandoned one), the killed preset has no cache key, and the
    next build renders it."""
    import threading

    out = tmp_path / "gallery"
    killed: list[int] = []

    def kill_the_first_render():
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not killed:
            for tmp in out.rglob(".render-*"):
                if next(tmp.rglob("*.mp4"), None) is not None:  # mid-render
                    pid = int(tmp.name.split("-")[1])
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
            time.sleep(0.1)

    killer = threading.Thread(target=kill_the_first_render)
    killer.start()
    assert build_gallery(out, quality="test", jobs=2, only=["linear-map"]) == 1
    killer.join()
    assert killed
    err = capsys.readouterr().err
    assert err.count("gallery: failed:") == 1 and f"exit status -{int(signal.SIGKILL)}" in err
    jobs = plan("test", "dark", ["linear-map"])
    current = [j for j in jobs if is_current(out, j)]
    assert len(current) == len(jobs) - 1  # every other preset rendered and recorded
    assert leftovers(out) == []
    assert build_gallery(out, quality="test", jobs=1, only=["linear-map"]) == 0
    assert "1 to render" in capsys.readouterr().out
    assert all(is_current(out, j) for j in jobs)


def test_a_signal_raised_inside_a_weakref_callback_is_quiet_and_raised_again(capsys, monkeypatch):
    # CI once printed "Exception ignored in: <function WeakSet...>" with a traceback before the one line
    import weakref

    from deepviz.render import Interrupted, check_signals, stop_on_signals

    class Thing:
        pass

    monkeypatch.setattr(sys, "unraisablehook", sys.__unraisablehook__)  # Python's printing one, not pytest's

    def callback(_):
        os.kill(os.getpid(), signal.SIGTERM)  # the handler raises here, where Python can only print and drop it

    with pytest.raises(Interrupted), stop_on_signals():
        thing = Thing()
        ref = weakref.ref(thing, callback)
        del thing
        assert ref() is None
        check_signals()
    assert capsys.readouterr().err == ""
