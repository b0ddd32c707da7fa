"""The wheel: the package, its shipped data and the built front end; never the front end's sources or npm packages."""
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_the_built_front_end(tmp_path):
    out = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(tmp_path), str(ROOT)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    (wheel,) = tmp_path.glob("deepviz-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    static = {Path(n).name for n in names if n.startswith("deepviz/studio/static/")}
    built = {p.name for p in (ROOT / "src/deepviz/studio/static").glob("*.js")}
    assert built and built <= static  # every bundle `npm run build` made
    assert {"playground.html", "studio.css"} <= static
    assert "deepviz/models/data/sentiment.tsv" in names and "deepviz/concepts/rnn/scene.py" in names
    assert not [n for n in names if "/frontend/" in n]
    assert wheel.stat().st_size < 5_000_000
