"""Diagram scale: wall time and peak memory of drawing models of growing size, as a user would.

Each model is drawn in a fresh Python process by ``deepviz diagram examples.py:NAME --input
SHAPE -o FILE.svg`` (so every figure includes starting Python and importing torch): a large
model is built and captured on the meta device, a small one for real; laid out at the default
depth and saved as SVG. Where torchview is installed, it draws the same model (its default settings, real
weights on the CPU) in its own process, side by side. A second table draws the test zoo
(``tests/diagrams/zoo.py``: BERT with a mask, GPT-2, Llama, T5, U-Net, bottleneck ResNet, ViT,
ConvNeXt, LSTM, GRU, a detector, an early exit, a value branch) with keyword and list inputs.
torchview is a benchmark-only dependency (``pip install -e .[bench]``); without it the table is
deepviz only.

    .venv/bin/python benchmarks/diagram_scale.py [--repeat 3] [--timeout 300] [--only t5]
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

ZOO_FILE = Path(__file__).resolve().parents[1] / "tests" / "diagrams" / "zoo.py"
ZOO = {  # the test zoo's architectures: name -> (builder in tests/diagrams/zoo.py, --input values, torchview's
    # input_data and keyword inputs as Python source)
    "bert+mask": ("Bert", ["1,8:long", "attention_mask=1,8:long"],
                  "[torch.zeros(1, 8, dtype=torch.long)], attention_mask=torch.ones(1, 8, dtype=torch.long)"),
    "gpt2": ("GPT2", ["1,8:long"], "[torch.zeros(1, 8, dtype=torch.long)]"),
    "llama": ("Llama", ["1,8:long"], "[torch.zeros(1, 8, dtype=torch.long)]"),
    "t5": ("T5", ["1,8:long", "decoder_input_ids=1,6:long"],
           "[torch.zeros(1, 8, dtype=torch.long)], decoder_input_ids=torch.zeros(1, 6, dtype=torch.long)"),
    "unet": ("UNet", ["1,1,32,32"], "[torch.randn(1, 1, 32, 32)]"),
    "resnet-bottleneck": ("BottleneckResNet", ["1,3,64,64"], "[torch.randn(1, 3, 64, 64)]"),
    "vit-drop-path": ("SharedDropPathViT", ["1,3,32,32"], "[torch.randn(1, 3, 32, 32)]"),
    "convnext": ("ConvNeXt", ["1,3,64,64"], "[torch.randn(1, 3, 64, 64)]"),
    "lstm-2-layer": ("LSTMLanguageModel", ["1,8:long"], "[torch.zeros(1, 8, dtype=torch.long)]"),
    "gru-seq2seq": ("GRUSeq2Seq", ["1,8:long", "1,6:long"],
                    "[torch.zeros(1, 8, dtype=torch.long), torch.zeros(1, 6, dtype=torch.long)]"),
    "detector": ("Detector", ["[3,320,320;3,256,256]"], "[[torch.rand(3, 320, 320), torch.rand(3, 256, 256)]]"),
    "early-exit": ("EarlyExit", ["1,8"], "[torch.randn(1, 8)]"),
    "value-branch": ("ValueBranch", ["1,8"], "[torch.randn(1, 8)]"),
}

SVG_FACTS = textwrap.dedent("""
    import re
    def svg_facts(path):
        svg = open(path).read()
        width, height = (float(v) for v in re.search(r'<svg width="([\\d.]+)pt" height="([\\d.]+)pt"', svg).groups())
        return {{"boxes": svg.count('class="node"'), "width": width, "height": height}}
""")

DEEPVIZ = SVG_FACTS + textwrap.dedent("""
    import json, resource, sys
    from deepviz.cli import main
    code = main(["diagram", "{file}:{builder}", *{inputs!r}, "-o", sys.argv[1]])  # inputs: --input V ...
    print(json.dumps({{"code": code, **svg_facts(sys.argv[1]),
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
""")

TORCHVIEW = SVG_FACTS + textwrap.dedent("""
    import importlib.util, json, resource, sys
    import torch
    from torchview import draw_graph
    spec = importlib.util.spec_from_file_location("models", "{file}")
    models = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(models)
    model = getattr(models, "{builder}")()
    g = draw_graph(model, input_data={torchview_input}, device="cpu")
    g.visual_graph.render(sys.argv[1], format="svg")
    print(json.dumps({{**svg_facts(sys.argv[1] + ".svg"),
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
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


def cases() -> list[tuple[str, str, str, list[str], str]]:
    """(name, file, builder, --input values, torchview's input_data source) for both tables."""
    from deepviz.diagrams import examples

    out = []
    for name, (builder, shape, dtype) in MODELS.items():
        tensor = f"torch.zeros({shape}, dtype=torch.{dtype})" if dtype == "long" else f"torch.randn{shape}"
        out.append((name, examples.__file__, builder, [f"{','.join(map(str, shape))}:{dtype}"], f"[{tensor}]"))
    out += [(name, str(ZOO_FILE), builder, inputs, data) for name, (builder, inputs, data) in ZOO.items()]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=1, help="runs per model; the fastest is reported")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--only", action="append", metavar="NAME", help="only this model (repeatable)")
    args = ap.parse_args()
    has_torchview = importlib.util.find_spec("torchview") is not None
    baseline, _, _ = run("import torch; print('{}')", Path("/dev/null"), args.timeout)
    print(f"python + import torch alone: {baseline:.2f} s")
    if not has_torchview:
        print("torchview is not installed here: deepviz only (pip install torchview, or .[bench], to compare)")
    print(f"{'model':18s} {'tool':10s} {'wall s':>7s} {'peak MB':>8s} {'boxes':>5s} {'size pt':>11s}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, file, builder, inputs, data in cases():
            if args.only and name not in args.only:
                continue
            tools = [("deepviz", DEEPVIZ)] + ([("torchview", TORCHVIEW)] if has_torchview else [])
            for tool, template in tools:
                flags = [f for v in inputs for f in ("--input", v)]
                code = template.format(file=file, builder=builder, inputs=flags, torchview_input=data)
                best = None
                for _ in range(args.repeat):
                    wall, info, error = run(code, Path(tmp) / f"{name}-{tool}.svg", args.timeout)
                    if best is None or (info and wall < best[0]):
                        best = (wall, info, error)
                wall, info, error = best
                if info is None:
                    print(f"{name:18s} {tool:10s} {wall:7.2f} {'':>8s} {error[:90]}")
                    continue
                size = f"{info['width']:.0f}x{info['height']:.0f}"
                print(f"{name:18s} {tool:10s} {wall:7.2f} {info['peak_mb']:8.0f} {info['boxes']:>5} {size:>11s}")


if __name__ == "__main__":
    main()
