"""The GAN run's MP4 through the playground's movie pipeline: the trace holds the engine's maps and points at
evenly spaced iterations of the tape, and the render job makes an MP4 with everything in the frame."""
import subprocess

import torch

from deepviz.studio import gan
from deepviz.studio.gan import GanConfig, GanRun
from deepviz.studio.gan_movie import movie_trace


def _run(iterations: int) -> GanRun:
    run = GanRun(GanConfig(g_layers=1, g_units=8, d_layers=1, d_units=8, batch=16))
    for _ in range(iterations):
        run.step()
    return run


def test_the_trace_holds_the_engines_map_and_points_at_evenly_spaced_iterations():
    run = _run(12)
    trace = movie_trace(run, frames=4, shown=20)
    frames = trace.data["frames"]
    assert [f["epoch"] for f in frames] == [0, 4, 8, 12]
    with run.viewing(4), torch.no_grad():
        expected_map = run.discriminator_map() * 2 - 1  # the log loss: 2p - 1, signed for the heatmap
        expected_fake = run.G(run.noise_eval[:20]).clamp(-1, 1)
    torch.testing.assert_close(torch.tensor(frames[1]["output"][0]), expected_map, atol=0.006, rtol=0)
    torch.testing.assert_close(torch.tensor(frames[1]["fake"]), expected_fake, atol=6e-4, rtol=0)
    assert frames[-1]["train_loss"] == run.history[-1].d_loss and len(trace.data["points"]["train"]) == 20
    assert len(frames[0]["output"][0]) == gan.GRID


def test_the_movie_job_renders_an_mp4_with_everything_in_the_frame(tmp_path):
    from deepviz.render import render_trace
    from deepviz.studio.gan_movie_scene import GanRunScene

    trace = movie_trace(_run(8), frames=4, shown=60)
    result = render_trace(trace, GanRunScene, tmp_path, quality="test", theme="light", burn_captions=True,
                          check_frame=True)
    assert result.frame_violations == []
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                          "stream=nb_read_frames", "-of", "csv=p=0", str(result.video)], capture_output=True, text=True)
    assert int(out.stdout.strip()) > 10


def test_the_page_asks_the_render_queue_for_the_gan_scene():
    from deepviz.studio.workers import Worker

    worker = Worker()
    worker.open(1, "gan")
    worker.message(1, '{"type":"step"}')
    (reply,) = worker.message(1, '{"type":"export","what":"movie","quality":"low"}')
    request = __import__("json").loads(reply)
    assert request["type"] == "render" and request["target"] == "deepviz.studio.movie:render_movie"
    assert request["args"]["scene"] == "gan" and request["args"]["trace"]["concept"] == "gan-run"
