import shutil

import pytest

import deepviz
from deepviz import catalog
from deepviz.gallery import build_gallery, plan, write_index

pytestmark = pytest.mark.render


# The gallery's machinery on two concepts (tests/test_render.py renders every preset already).
SHOWN = ["perceptron", "batch-norm"]


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    out = tmp_path_factory.mktemp("gallery")
    assert build_gallery(out, quality="test", jobs=2, only=SHOWN, slides=True) == 0
    return out


def test_gallery_lists_every_preset_with_video_captions_trace_and_slides(gallery):
    html = (gallery / "index.html").read_text()
    for c in map(catalog.get, SHOWN):
        assert c.description[:60] in html
        for p in c.presets:
            stem = f"{c.name}/{p.name}_test_dark"
            assert f'src="{stem}.mp4"' in html
            assert f'href="{stem}.trace.json"' in html
            assert (gallery / f"{stem}.mp4").is_file()
            assert f'poster="{stem}.poster.jpg"' in html and (gallery / f"{stem}.poster.jpg").is_file()
            assert f'<a href="{stem}.html">slides</a> · <a href="{stem}.pptx">PowerPoint</a>' in html
            assert (gallery / f"{stem}.html").stat().st_size > 100_000  # videos and reveal.js inside
    assert html.count('<track kind="captions"') == sum(len(catalog.get(c).presets) for c in SHOWN)


def test_gallery_follows_the_course_with_what_to_watch_next(tmp_path):
    html = write_index(tmp_path, plan("test", "dark")).read_text()  # the page alone: nothing rendered
    names = [c.name for c in catalog.course()]
    assert names[:3] == ["perceptron", "activations", "linear-map"] and names[-1] == "model-forward"
    positions = [html.index(f'<section id="{n}">') for n in names]
    assert positions == sorted(positions)
    for before, after in zip(catalog.course(), catalog.course()[1:]):
        section = html[html.index(f'<section id="{before.name}">'):html.index(f'<section id="{after.name}">')]
        assert f'What to watch next: <a href="#{after.name}">' in section
    assert html.count("What to watch next") == len(names) - 1


def test_second_build_renders_nothing_and_a_changed_key_renders_again(gallery, capsys):
    capsys.readouterr()
    assert build_gallery(gallery, quality="test", jobs=2, only=SHOWN, slides=True) == 0
    assert "0 to render" in capsys.readouterr().out
    job = plan("test", "dark", only=SHOWN, slides=True)[0]
    (gallery / job.concept / f"{job.stem}.key").write_text("stale\n")
    assert build_gallery(gallery, quality="test", jobs=1, only=SHOWN, slides=True) == 0
    assert "1 to render" in capsys.readouterr().out
    silent = {j.key for j in plan("test", "dark", only=SHOWN)}  # without slides: other keys, rendered again
    assert not silent & {j.key for j in plan("test", "dark", only=SHOWN, slides=True)}


@pytest.mark.browser
def test_gallery_plays_with_captions_in_chromium_from_file_url(gallery):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"),
                                     args=["--headless", "--no-sandbox", "--disable-gpu",
                                           "--disable-background-networking"])
        page = browser.new_page()
        page.goto((gallery / "index.html").as_uri())
        page.wait_for_function("[...document.querySelectorAll('video')].every(v => v.readyState >= 1)",
                               timeout=20_000)
        state = page.evaluate("""async () => {
            const v = document.querySelector('video');
            const track = v.textTracks[0];
            track.mode = 'showing';
            for (let i = 0; i < 50 && !(track.cues && track.cues.length); i++)
                await new Promise(r => setTimeout(r, 100));
            return {duration: v.duration, cues: track.cues ? track.cues.length : 0,
                    first: track.cues && track.cues.length ? track.cues[0].text : '',
                    videos: document.querySelectorAll('video').length};
        }""")
        browser.close()
    assert state["duration"] > 20
    first = catalog.course()[0]  # the page starts with the course
    narration = deepviz.trace(first.name, preset=first.presets[0].name).narration
    assert state["cues"] == len(narration) and state["first"] == next(iter(narration.values()))
    assert state["videos"] == sum(len(catalog.get(c).presets) for c in SHOWN)
