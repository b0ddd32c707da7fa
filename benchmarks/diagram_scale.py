"""Diagram scale: wall time and peak memory of drawing models of growing size, as a user would.

Each model is drawn in a fresh Python process by ``deepviz diagram examples.py:NAME --input
SHAPE -o FILE.svg`` (so every figure includes starting Python and importing torch): a large
model is built and captured on the meta device, a small one for real; laid out at the default
depth and saved as SVG. Where torchview is installed, it draws the same model (its default settings, real
weights on the CPU) in its own process, side by side.

    .venv/bin/python benchmarks/diagram_scale.py [--repeat 3] [--timeout 300]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

MODELS = {  # name -> (builder in deepviz.diagrams.examples, input shape, dtype)
    "mlp-2-layer": ("mlp", (1, 2), "float32"),
    "resnet-18": ("resnet18", (1, 3, 224, 224), "float32"),
    "gpt2-small-12": ("gpt2_small", (1, 128), "long"),
    "transformer-48": ("gpt_48", (1, 128), "long"),
}

DEEPVIZ = textwrap.dedent("""
    import json, resource, sys
    from deepviz.cli import main
    from deepviz.diagrams import examples
    code = main(["diagram", examples.__file__ + ":{builder}", "--input", "{shape_arg}:{dtype}", "-o", sys.argv[1]])
    svg = open(sys.argv[1]).read()
    width, height = (float(v.rstrip("pt")) for v in svg.split('<svg width="')[1].split('"', 3)[::2][:2])
    print(json.dumps({{"code": code, "boxes": svg.count('class="node"'), "width": width, "height": height,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
""")

TORCHVIEW = textwrap.dedent("""
    import json, resource, sys
    import torch
    from torchview import draw_graph
    from deepviz.diagrams import examples
    model = getattr(examples, "{builder}")()
    g = draw_graph(model, input_size=[{shape}], dtypes=[getattr(torch, "{dtype}")], device="cpu")
    g.visual_graph.render(sys.argv[1], format="svg")
    print(json.dumps({{"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
""")


def run(code: str, out: Path, timeout: float) -> tuple[float, dict | None, str]:
    start = time.perf_counter()
    try:
        res = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, None, f"did not finish in {timeout:.0f} s"
    wall = time.perf_counter() - start
    if res.returncode != 0:
        return wall, None, res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "failed"
    return wall, json.loads(res.stdout.strip().splitlines()[-1]), ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=1, help="runs per model; the fastest is reported")
    ap.add_argument("--timeout", type=float, default=300.0)
    args = ap.parse_args()
    has_torchview = importlib.util.find_spec("torchview") is not None
    baseline, _, _ = run("import torch; print('{}')", Path("/dev/null"), args.timeout)
    print(f"python + import torch alone: {baseline:.2f} s")
    print(f"{'model':16s} {'tool':10s} {'wall s':>7s} {'peak MB':>8s} {'boxes':>5s} {'size pt':>11s}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (builder, shape, dtype) in MODELS.items():
            tools = [("deepviz", DEEPVIZ)] + ([("torchview", TORCHVIEW)] if has_torchview else [])
            for tool, template in tools:
                code = template.format(builder=builder, shape=", ".join(map(str, shape)), dtype=dtype,
                                       shape_arg=",".join(map(str, shape)))
                best = None
                for _ in range(args.repeat):
                    wall, info, error = run(code, Path(tmp) / f"{name}-{tool}.svg", args.timeout)
                    if best is None or (info and wall < best[0]):
                        best = (wall, info, error)
                wall, info, error = best
                if info is None:
                    print(f"{name:16s} {tool:10s} {wall:7.2f} {'':>8s} {error}")
                    continue
                size = f"{info['width']:.0f}x{info['height']:.0f}" if "width" in info else ""
                print(f"{name:16s} {tool:10s} {wall:7.2f} {info['peak_mb']:8.0f} {info.get('boxes') or '':>5} "
                      f"{size:>11s}")
    if not has_torchview:
        print("torchview is not installed here: deepviz only (pip install torchview to compare)")


if __name__ == "__main__":
    main()
