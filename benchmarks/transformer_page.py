"""Transformer page latency and the tiny GPT's training rate.

Latency, in a real headless Chromium: the text box is set to ``--words`` prefixes of the shipped sentences (one
input event each, as typing a word does), and the page measures each from the input event to the redrawn
next-token probabilities (the request, torch's pass over both blocks, the JSON, every view redrawn). The
sliders' path (temperature: the softmax re-run in the page, no request) is timed in the page too, and the
engine alone (``forward()`` in this process). Training: ``tiny_gpt.fit`` on a fresh model, tokens per second
(steps x batch x context positions), on one torch thread as the house Adam runs it.

    .venv/bin/python benchmarks/transformer_page.py [--words 60]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time

from engine_rate import cpu_model
from playground_rate import ARGS, serve_studio


def prefixes(n: int) -> list[str]:
    from deepviz.models import tiny_gpt

    words = [w for w in tiny_gpt.text().test if w != tiny_gpt.END]
    out = []
    for i in range(n):
        start = (i // 8) * 8 % max(1, len(words) - 8)
        out.append(" ".join(words[start:start + i % 8 + 1]))
    return out


def page_latencies(words: int) -> tuple[list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    studio, base = serve_studio()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "transformer")
        page.wait_for_function("window.transformer && window.transformer.requests > 0", timeout=120_000)
        time.sleep(0.3)
        before = page.evaluate("window.transformer.latencies.length")
        for text in prefixes(words):
            seen = page.evaluate("window.transformer.requests")
            page.fill("#text", text)
            page.wait_for_function(f"window.transformer.requests > {seen}")
        typed = page.evaluate(f"window.transformer.latencies.slice({before})")
        slider = page.evaluate("""() => { const s = document.querySelector('#temperature'); const out = [];
            for (let i = 0; i < 60; i++) { s.value = String(0.2 + (i % 20) / 10); const t = performance.now();
              s.dispatchEvent(new Event('input')); out.push(performance.now() - t); } return out; }""")
        browser.close()
    studio.should_exit = True
    return typed, slider


def engine_ms(repeat: int = 30) -> float:
    from deepviz.studio.transformer import Request, forward

    forward(Request(text="the cat sat on the"))
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        forward(Request(text="the cat sat on the"))
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def training_rate() -> tuple[float, float]:
    from deepviz.models import tiny_gpt

    t = tiny_gpt.text()
    model = tiny_gpt.build(len(t.vocab.words))
    start = time.perf_counter()
    tiny_gpt.fit(model)
    seconds = time.perf_counter() - start
    return seconds, tiny_gpt.STEPS * tiny_gpt.BATCH * model.config.context / seconds


def summary(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    return (f"{name:28s} median {statistics.median(ms):7.1f} ms  p95 {ms[round(0.95 * (len(ms) - 1))]:7.1f} ms  "
            f"max {ms[-1]:7.1f} ms  ({len(ms)} samples)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=60)
    args = ap.parse_args()
    from deepviz.models import tiny_gpt

    gpt = tiny_gpt.load()
    print(f"CPU: {cpu_model()}; load average {os.getloadavg()[0]:.1f}; tiny GPT {gpt.parameters:,} parameters, "
          f"held-out loss {gpt.held_out_loss:.3f} nats (train {gpt.train_loss:.3f})")
    typed, slider = page_latencies(args.words)
    print(summary("typed -> probabilities", typed))
    print(summary("temperature -> probabilities", slider))
    print(f"{'engine forward()':28s} median {engine_ms():7.1f} ms")
    seconds, rate = training_rate()
    print(f"training: {seconds:.1f} s for {tiny_gpt.STEPS} steps, {rate:,.0f} tokens/s (one torch thread)")


if __name__ == "__main__":
    main()
