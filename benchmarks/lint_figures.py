"""Layout and pacing figures of every preset (or the ones named): smallest text, smallest step span,
longest dead time, and the lint's violations. Renders at the tests' tiny size (the checks measure
geometry, not pixels).

    python benchmarks/lint_figures.py                 # every concept
    python benchmarks/lint_figures.py batch-norm rnn  # some
    python benchmarks/lint_figures.py -v rnn          # and list each violation
"""
from __future__ import annotations

import argparse
import tempfile
import time

from deepviz import catalog
from deepviz.render import render_concept


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("concepts", nargs="*")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    names = args.concepts or [c.name for c in catalog.concepts()]
    print("| concept | preset | smallest text px | smallest span | longest dead s | violations | video s |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as out:
        for name in names:
            for preset in catalog.get(name).preset_names():
                t0 = time.perf_counter()
                r = render_concept(name, preset, quality="test", output=out, check_frame=True)
                f = r.lint.figures()
                print(f"| {name} | {preset} | {f['smallest_text_px']} ({f['smallest_text']!r}) | "
                      f"{f['smallest_span']} ({f['smallest_span_step']}) | {f['longest_dead_s']} | "
                      f"{len(r.lint.violations) + len(r.frame_violations)} | {r.duration:.0f} "
                      f"(rendered in {time.perf_counter() - t0:.0f} s) |", flush=True)
                if args.verbose:
                    for v in r.frame_violations + r.lint.violations:
                        print("    -", v)


if __name__ == "__main__":
    main()
