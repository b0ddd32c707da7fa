// The runs page: every run of a TensorBoard logdir (deepviz.watch or any other writer), polled each second.
// Scalars with runs overlaid and smoothing, per-layer heatmaps (layer x step) of gradient norms and
// update/weight ratios, a ridgeline of one layer's histograms over time, and the server's diagnosis.
import { axisBottom, axisLeft } from "d3-axis";
import { scaleLinear } from "d3-scale";
import { select } from "d3-selection";
import { area, line } from "d3-shape";
import { colour, rgb } from "./colours";

type Point = [number, number | null];
type Hist = { step: number; lo: number; hi: number; limits: number[]; counts: number[] };
type Finding = { kind: string; step: number; layer: string | null; message: string; suggestion: string };
type RunData = { last: number; scalars: Record<string, Point[]>; histograms: Record<string, Hist[]>;
                 diagnosis: Finding[]; problems: string[] };
type Poll = { logdir: string; runs: Record<string, RunData> };

const POLL_MS = 1000, CHART_W = 420, CHART_H = 170, LEFT = 48, RIDGES = 24;
const RUN_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#5f6670", "#000000",
                     "#b8a2c8", "#9cc7b6"];
const LAYER_STATS = ["weight_norm", "grad_norm", "update_ratio", "act_mean", "act_std", "dead_frac"];
const HISTOGRAM_KINDS = ["weights", "grads", "activations"];

const runs = new Map<string, RunData>();
const hidden = new Set<string>();
const stats = { polls: 0, drawnAt: 0, last: {} as Record<string, number>, loadMs: 0 };
(window as any).runs = stats;

const $ = (id: string) => document.getElementById(id)!;
const isLayerTag = (tag: string) => {
  const [head, ...rest] = tag.split("/");
  return rest.length > 0 && (LAYER_STATS.includes(head) || HISTOGRAM_KINDS.includes(head));
};
const runColour = (name: string) => RUN_COLOURS[[...runs.keys()].sort().indexOf(name) % RUN_COLOURS.length];

function merge(poll: Poll): boolean {
  let changed = false;
  for (const [name, data] of Object.entries(poll.runs)) {
    const have = runs.get(name);
    if (!have) { runs.set(name, data); changed = true; continue; }
    for (const [tag, pts] of Object.entries(data.scalars)) {
      have.scalars[tag] = (have.scalars[tag] ?? []).concat(pts); changed = true;
    }
    for (const [tag, hs] of Object.entries(data.histograms)) {
      have.histograms[tag] = (have.histograms[tag] ?? []).concat(hs); changed = true;
    }
    if (JSON.stringify(have.diagnosis) !== JSON.stringify(data.diagnosis)) changed = true;
    Object.assign(have, { last: data.last, diagnosis: data.diagnosis, problems: data.problems });
  }
  return changed;
}

/** TensorBoard's smoothing: an exponential moving average, debiased at the start. */
function smooth(pts: Point[], weight: number): Point[] {
  let last = 0, n = 0;
  return pts.map(([s, v]) => {
    if (v === null) return [s, null];
    last = last * weight + (1 - weight) * v; n++;
    return [s, last / (1 - Math.pow(weight, n))];
  });
}

function drawScalars(): void {
  const root = select($("scalars"));
  root.selectAll("*").remove();
  const weight = Number(($("smoothing") as HTMLInputElement).value);
  const tags = [...new Set([...runs.values()].flatMap((r) => Object.keys(r.scalars)))].filter((t) => !isLayerTag(t)).sort();
  for (const tag of tags) {
    const card = root.append("div").attr("class", "chart").attr("data-tag", tag);
    card.append("h3").text(tag);
    const series = [...runs.entries()].filter(([n, r]) => !hidden.has(n) && r.scalars[tag]?.length)
      .map(([n, r]) => ({ name: n, raw: r.scalars[tag], smooth: smooth(r.scalars[tag], weight) }));
    const all = series.flatMap((s) => s.raw);
    const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]).filter((v): v is number => v !== null);
    const x = scaleLinear().domain([Math.min(0, ...xs), Math.max(1, ...xs)]).range([LEFT, CHART_W - 8]);
    const lo = ys.length ? Math.min(...ys) : 0, hi = ys.length ? Math.max(...ys) : 1;
    const pad = Math.abs(lo) / 2 || 1;  // one value (a constant learning rate): a band around it
    const y = scaleLinear().domain(lo === hi ? [lo - pad, hi + pad] : [lo, hi]).nice().range([CHART_H - 22, 6]);
    const svg = card.append("svg").attr("width", CHART_W).attr("height", CHART_H);
    svg.append("g").attr("transform", `translate(0,${CHART_H - 22})`).call(axisBottom(x).ticks(5, "~s"));
    svg.append("g").attr("transform", `translate(${LEFT},0)`).call(axisLeft(y).ticks(4, "~g"));
    const path = line<Point>().defined((p) => p[1] !== null).x((p) => x(p[0])).y((p) => y(p[1]!));
    for (const s of series) {
      const c = runColour(s.name);
      if (weight > 0) svg.append("path").attr("fill", "none").attr("stroke", c).attr("stroke-opacity", 0.25)
        .attr("d", path(thin(s.raw)) ?? "");
      svg.append("path").attr("class", "series").attr("data-run", s.name).attr("fill", "none").attr("stroke", c)
        .attr("stroke-width", 1.6).attr("d", path(thin(s.smooth)) ?? "");
    }
    for (const [name, r] of runs) {  // the diagnosis marked where it began
      if (hidden.has(name)) continue;
      for (const f of r.diagnosis) {
        if (f.layer !== null || !(tag === "loss" || tag.includes("loss"))) continue;
        svg.append("line").attr("class", "finding").attr("x1", x(f.step)).attr("x2", x(f.step)).attr("y1", 6)
          .attr("y2", CHART_H - 22).attr("stroke", runColour(name)).attr("stroke-dasharray", "3 3")
          .append("title").text(`${name}: ${f.kind} from step ${f.step}`);
      }
    }
  }
}

function thin(pts: Point[]): Point[] {  // about two points per pixel is all a 420 px chart can show
  const step = Math.ceil(pts.length / 800);
  return step <= 1 ? pts : pts.filter((_, i) => i % step === 0 || i === pts.length - 1);
}

function layerSeries(r: RunData, stat: string): [string, Point[]][] {
  return Object.entries(r.scalars).filter(([t]) => t.startsWith(stat + "/")).map(([t, p]) => [t.slice(stat.length + 1), p]);
}

/** layer x step, coloured by log10 of the value: diverging around ``centre`` (update ratios), else sequential. */
function drawHeatmap(id: string, r: RunData | undefined, stat: string, centre: number | null): void {
  const root = select($(id));
  root.selectAll("*").remove();
  const layers = r ? layerSeries(r, stat) : [];
  if (!layers.length) { root.append("p").attr("class", "hint").text(`no ${stat} in this run`); return; }
  const steps = [...new Set(layers.flatMap(([, p]) => p.map((q) => q[0])))].sort((a, b) => a - b);
  const cols = Math.min(steps.length, 300), rowH = 22, labelW = 90, w = CHART_W + 120;
  const logs = layers.flatMap(([, p]) => p.map((q) => q[1])).filter((v): v is number => v !== null && v > 0).map(Math.log10);
  const lo = Math.min(...logs), hi = Math.max(...logs);
  const tone = (v: number | null) => {
    if (v === null || !(v > 0)) return "#1a1a1a";
    const l = Math.log10(v);
    if (centre !== null) return rgb(colour(127.5 + 127.5 * Math.max(-1, Math.min(1, (l - Math.log10(centre)) / 3))));
    return rgb(colour(127.5 + 127.5 * (hi > lo ? (l - lo) / (hi - lo) : 0.5)));
  };
  const canvas = root.append("canvas").attr("width", w - labelW).attr("height", rowH * layers.length)
    .style("margin-left", `${labelW}px`).node()!;
  const ctx = canvas.getContext("2d")!;
  const cw = (w - labelW) / cols;
  layers.forEach(([, pts], row) => {
    const byStep = new Map(pts.map((p) => [p[0], p[1]]));
    for (let c = 0; c < cols; c++) {
      const s = steps[Math.floor((c * steps.length) / cols)];
      ctx.fillStyle = tone(byStep.has(s) ? byStep.get(s)! : null);
      ctx.fillRect(c * cw, row * rowH, Math.ceil(cw), rowH - 2);
    }
  });
  const labels = root.append("div").attr("class", "rows");
  layers.forEach(([name], row) => labels.append("span").style("top", `${row * rowH + 3}px`).text(name));
  const scale = centre !== null ? `blue: below ${centre} · white: about ${centre} · orange: above (3 decades either side)`
    : `log scale: white ${lo.toFixed(1)} → orange ${hi.toFixed(1)} (log10)`;
  root.append("p").attr("class", "hint").text(`steps ${steps[0]}–${steps[steps.length - 1]}; ${scale}; black: zero or none`);
}

function drawRidgeline(r: RunData | undefined): void {
  const root = select($("ridgeline"));
  root.selectAll("*").remove();
  const sel = $("hist-tag") as HTMLSelectElement;
  const tags = r ? Object.keys(r.histograms).sort() : [];
  if (sel.options.length !== tags.length || [...sel.options].some((o, i) => o.value !== tags[i])) {
    const keep = sel.value;
    sel.replaceChildren(...tags.map((t) => new Option(t, t)));
    if (tags.includes(keep)) sel.value = keep;
  }
  const hs = r?.histograms[sel.value] ?? [];
  if (!hs.length) { root.append("p").attr("class", "hint").text("no histograms in this run"); return; }
  const pick = hs.length <= RIDGES ? hs : Array.from({ length: RIDGES }, (_, i) => hs[Math.round((i * (hs.length - 1)) / (RIDGES - 1))]);
  const lo = Math.min(...pick.map((h) => h.lo)), hi = Math.max(...pick.map((h) => h.hi));
  const W = CHART_W + 120, rowH = 14, ridge = 42, H = rowH * (pick.length - 1) + ridge + 26;
  const x = scaleLinear().domain(lo === hi ? [lo - 1, hi + 1] : [lo, hi]).range([LEFT + 20, W - 10]);
  const svg = root.append("svg").attr("width", W).attr("height", H);
  svg.append("g").attr("transform", `translate(0,${H - 22})`).call(axisBottom(x).ticks(6, "~g"));
  pick.forEach((h, i) => {
    const base = ridge + i * rowH;
    const peak = Math.max(1, ...h.counts);
    const left = (k: number) => (k === 0 ? h.lo : h.limits[k - 1]);
    const pts = h.counts.map((c, k) => [x((left(k) + h.limits[k]) / 2), c / peak] as [number, number]);
    svg.append("path").attr("class", "ridge").attr("fill", "#e69f00").attr("fill-opacity", 0.55).attr("stroke", "#1a1a1a")
      .attr("stroke-width", 0.7)
      .attr("d", area<[number, number]>().x((p) => p[0]).y0(base).y1((p) => base - p[1] * ridge)(pts) ?? "");
    if (i % Math.ceil(pick.length / 6) === 0 || i === pick.length - 1) {
      svg.append("text").attr("x", 4).attr("y", base).attr("font-size", 12).text(`${h.step}`);
    }
  });
}

function drawDiagnosis(): void {
  const root = select($("diagnosis"));
  root.selectAll("*").remove();
  for (const [name, r] of [...runs.entries()].sort()) {
    const box = root.append("div").attr("class", "run-findings").attr("data-run", name);
    box.append("h3").style("color", runColour(name)).text(`${name} · step ${r.last}`);
    for (const p of r.problems) box.append("p").attr("class", "problem").text(p);
    if (!r.diagnosis.length) box.append("p").attr("class", "ok").text("no problem found");
    for (const f of r.diagnosis) {
      const item = box.append("div").attr("class", "finding").attr("data-kind", f.kind);
      item.append("b").text(`${f.kind}${f.layer ? " · " + f.layer : ""} · from step ${f.step}`);
      item.append("div").text(f.message);
      item.append("div").attr("class", "suggestion").text(f.suggestion);
    }
  }
}

function drawRunList(): void {
  const root = select($("run-list"));
  root.selectAll("*").remove();
  const pick = $("layer-run") as HTMLSelectElement;
  const names = [...runs.keys()].sort();
  if (pick.options.length !== names.length) {
    const keep = pick.value;
    pick.replaceChildren(...names.map((n) => new Option(n, n)));
    if (names.includes(keep)) pick.value = keep;
  }
  for (const name of names) {
    const label = root.append("label").attr("class", "run");
    label.append("input").attr("type", "checkbox").property("checked", !hidden.has(name))
      .on("change", (e: Event) => { (e.target as HTMLInputElement).checked ? hidden.delete(name) : hidden.add(name); draw(); });
    label.append("span").attr("class", "swatch").style("background", runColour(name));
    label.append("span").text(name);
  }
}

function draw(): void {
  drawRunList();
  drawScalars();
  const r = runs.get(($("layer-run") as HTMLSelectElement).value);
  drawHeatmap("grad-heatmap", r, "grad_norm", null);
  drawHeatmap("ratio-heatmap", r, "update_ratio", 1e-3);
  drawRidgeline(r);
  drawDiagnosis();
}

async function poll(): Promise<void> {
  const since: Record<string, number> = {};
  for (const [name, r] of runs) since[name] = r.last;
  const started = performance.now();
  try {
    const res = await fetch("/api/runs/poll", { method: "POST", headers: { "content-type": "application/json" },
                                                body: JSON.stringify({ since }) });
    const body = await res.json();
    if (!res.ok) { $("status").textContent = body.detail ?? `error ${res.status}`; return; }
    const first = stats.polls === 0;
    $("logdir").textContent = (body as Poll).logdir;
    if (merge(body as Poll) || first) {
      draw();
      stats.drawnAt = Date.now();
      for (const [name, r] of runs) stats.last[name] = r.last;
    }
    if (first) stats.loadMs = performance.now() - started;
    stats.polls++;
    $("status").textContent = `${runs.size} run${runs.size === 1 ? "" : "s"} · polled ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    $("status").textContent = `the studio does not answer (${err})`;
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

$("smoothing").addEventListener("input", () => {
  $("smoothing-value").textContent = Number(($("smoothing") as HTMLInputElement).value).toFixed(2);
  drawScalars();
});
$("layer-run").addEventListener("change", draw);
$("hist-tag").addEventListener("change", () => drawRidgeline(runs.get(($("layer-run") as HTMLSelectElement).value)));
void poll();
