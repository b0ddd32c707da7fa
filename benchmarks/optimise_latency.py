"""Optimiser page latency: from a drag of the start point to the redrawn path, in a real headless Chromium.

Opens ``/optimise`` at each case's link (surface, optimiser, step size, racers), and drags the start point
across the plot ``--moves`` times, one mouse move at a time, waiting for each path. The page itself measures each
latency: from the pointer event to the new path (200 steps of torch.optim on the server, the socket
both ways, the SVG paths, the iterates, the loss chart, the eigen-components or the gradient cloud
updated). The engine alone (``path()`` in this process, the same settings) is timed too, so the two can be
told apart. Median, p95 and max, printed with the CPU model and the load average.

    .venv/bin/python benchmarks/optimise_latency.py [--moves 60]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import time

from engine_rate import cpu_model
from playground_rate import ARGS, serve_studio

# surface, optimiser, step size α (as the page's own presets), racers
ALL = ["sgd", "momentum", "adam", "rmsprop", "adamw"]
CASES = [("quadratic", "sgd", 1.0, []), ("quadratic", "momentum", 1.0, []), ("quadratic", "adam", 0.1, []),
         ("rosenbrock", "sgd", 0.001, []), ("rosenbrock", "momentum", 0.001, []), ("rosenbrock", "adam", 0.05, []),
         ("quadratic", "momentum", 1.0, ALL), ("network", "sgd", 0.1, []), ("network", "adam", 0.02, []),
         ("network", "sgd", 0.1, ALL)]


def drag(page, moves: int) -> list[float]:
    """The page's latencies (ms) for ``moves`` moves of a drag across the plot."""
    box = page.locator("circle.start").bounding_box()
    plot = page.locator("#plot").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    before = page.evaluate("window.optimise.latencies.length")
    for i in range(moves):
        seen = page.evaluate("window.optimise.paths")
        t = (i + 1) / (moves + 1)
        page.mouse.move(plot["x"] + plot["width"] * (0.1 + 0.8 * t), plot["y"] + plot["height"] * (0.2 + 0.3 * t))
        page.wait_for_function(f"window.optimise.paths > {seen}")
    page.mouse.up()
    return page.evaluate(f"window.optimise.latencies.slice({before})")


def engine_ms(surface: str, optimizer: str, alpha: float, race: list[str], repeat: int = 10) -> float:
    from deepviz.studio.optimise import STARTS, Settings, path

    s = Settings(surface=surface, optimizer=optimizer, alpha=alpha, race=race, start=STARTS[surface])
    path(s)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        path(s)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=60)
    args = ap.parse_args()
    import os

    from playwright.sync_api import sync_playwright

    from deepviz.studio.optimise import STARTS

    print(f"CPU: {cpu_model()}; load average {os.getloadavg()[0]:.1f}; {args.moves} drag moves per case, "
          "200 steps a path; target <= 30 ms")
    studio, base = serve_studio()
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 820})
        for surface, optimizer, alpha, race in CASES:
            start = ",".join(map(str, STARTS[surface]))  # the page's own start on this surface
            page.goto(f"{base}optimise?surface={surface}&optimizer={optimizer}&alpha={alpha}&start={start}"
                      f"&race={','.join(race)}")
            page.wait_for_function("window.optimise && window.optimise.paths > 0", timeout=120_000)
            time.sleep(0.3)
            got = sorted(drag(page, args.moves))
            rows.append((surface, optimizer + (f" + {len(race)} racers" if race else ""), statistics.median(got),
                         got[round(0.95 * (len(got) - 1))], max(got), engine_ms(surface, optimizer, alpha, race)))
        browser.close()
    studio.should_exit = True
    print(f"{'surface':11s} {'optimiser':22s} {'median ms':>9s} {'p95 ms':>7s} {'max ms':>7s} {'engine ms':>9s}")
    for surface, optimizer, med, p95, top, eng in rows:
        print(f"{surface:11s} {optimizer:22s} {med:9.1f} {p95:7.1f} {top:7.1f} {eng:9.1f}")


if __name__ == "__main__":
    main()
