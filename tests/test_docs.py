"""The documentation site builds with warnings as errors, with a page made from each concept's declaration."""
import os
import subprocess
import sys
from pathlib import Path

from deepviz import catalog
from deepviz.render import output_stem

ROOT = Path(__file__).resolve().parent.parent


def test_site_builds_strict_with_a_page_per_concept(tmp_path):
    media = tmp_path / "gallery" / "convolution"
    media.mkdir(parents=True)
    stem = output_stem("channels", "low", "dark", burn_captions=False)
    (media / f"{stem}.mp4").write_bytes(b"not really a video")
    env = dict(os.environ, DISABLE_MKDOCS_2_WARNING="true", NO_MKDOCS_2_WARNING="1", DEEPVIZ_DOCS_MEDIA=str(tmp_path / "gallery"),
               PYTHONPATH=str(ROOT / "src"))
    out = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    site = tmp_path / "site"
    for c in catalog.concepts():
        page = (site / "concepts" / c.name / "index.html").read_text(encoding="utf-8")
        for p in c.params:  # every declared option, with its default, from the declaration
            assert p.flag in page, (c.name, p.flag)
        for preset in c.presets:
            assert f"--preset {preset.name}" in page
    conv = (site / "concepts" / "convolution" / "index.html").read_text(encoding="utf-8")
    assert f'src="../media/convolution/{stem}.mp4"' in conv
    assert (site / "concepts" / "media" / "convolution" / f"{stem}.mp4").read_bytes() == b"not really a video"
    assert "make demo" in (site / "concepts" / "batch-norm" / "index.html").read_text(encoding="utf-8")
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert "list_concepts" in api and "ParamError" in api
