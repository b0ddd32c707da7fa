// The optimiser page: loss contours, a draggable start and the paths torch.optim takes from it; on the
// quadratic, the loss split into its eigen-components and the (α, β) phase diagram of momentum; on the
// trained network's surface, the cloud of mini-batch gradients at the start.
// Every change sends the settings over the socket; the server runs every path again (torch) and answers
// with them (and the surface when that changed). One request is in flight at a time: changes made
// meanwhile go as one when the answer comes, so a fast drag never queues stale paths. The settings live
// in the URL through the codec derived from the server's schema (GET /api/optimise/schema).
import { axisBottom, axisLeft } from "d3-axis";
import { contours } from "d3-contour";
import { scaleLinear, scaleLog } from "d3-scale";
import { select } from "d3-selection";
import { line } from "d3-shape";
import { decode, encode, loadSchema, type Schema, type Values } from "./schema";

type Field = "alpha" | "beta" | "beta1" | "beta2" | "decay";
type Optimizer = "sgd" | "momentum" | "adam" | "rmsprop" | "adamw";
type Settings = {
  surface: "quadratic" | "rosenbrock" | "network"; condition: number; rotation: number;
  optimizer: Optimizer; alpha: number; beta: number; beta1: number; beta2: number; decay: number;
  start: [number, number]; steps: number; race: Optimizer[]; batch_size: number;
};
type Phases = { log_alpha: [number, number]; beta: [number, number]; size: number; names: string[];
                phase: number[]; rate: number[] };
type Surface = { key: unknown[]; extent: [number, number, number, number]; size: number; values: number[];
                 levels: number[]; minimum: [number, number]; phases: Phases | null };
type Path = { points: [number, number][]; losses: number[]; diverged: number | null };
type Racer = Path & { optimizer: Optimizer; alpha: number };
type Noise = { at: [number, number]; batch_size: number; full: [number, number]; batches: [number, number][];
               spread: number };
type PathReply = Path & { type: "path"; id: number; surface?: Surface; race?: Racer[];
                          components?: { eigenvalues: number[]; eigenvectors: number[][]; losses: number[][] };
                          rate?: number; phase?: string; noise?: Noise };
type ErrorReply = { type: "error"; id: number; field: string; detail: string };

const SIZE = 480;
// a symbol's slider: its range (log10 for α)
const SLIDERS: Record<Field, { min: number; max: number; log: boolean; label: string }> = {
  alpha: { min: -4, max: 1, log: true, label: "α" },
  beta: { min: 0, max: 0.999, log: false, label: "β" },
  beta1: { min: 0, max: 0.999, log: false, label: "β₁" },
  beta2: { min: 0, max: 0.9999, log: false, label: "β₂" },
  decay: { min: 0, max: 1, log: false, label: "λ" },
};
const NAMES: Record<Optimizer, string> = { sgd: "gradient descent", momentum: "momentum", adam: "Adam", rmsprop: "RMSprop", adamw: "AdamW" };
// each optimiser's colour (Okabe-Ito, as studio.css): the page's path and its racers alike
const COLOURS: Record<Optimizer, string> = { sgd: "#0072b2", momentum: "#d55e00", adam: "#009e73", rmsprop: "#cc79a7", adamw: "#e69f00" };
const EIGEN = ["var(--neg)", "var(--pos)"];  // the components: smallest eigenvalue first
const PHASE_RGB = [[213, 94, 0], [0, 158, 115], [0, 114, 178]];  // diverges, monotone, oscillates

// the schema, with the step size each optimiser starts with on each surface and each surface's start
let schema: Schema & { "x-rates": Record<string, Record<Optimizer, number>>; "x-starts": Record<string, [number, number]> };
const state = {} as Settings;
const stats = { latencies: [] as number[], paths: 0, errors: 0, last: null as PathReply | ErrorReply | null };
(window as unknown as { optimise: typeof stats }).optimise = stats;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const plot = select($<HTMLElement>("plot") as unknown as SVGSVGElement);
let surface: Surface | null = null;
let path: PathReply | null = null;
let x = scaleLinear().range([0, SIZE]), y = scaleLinear().range([SIZE, 0]);
const fmt = (v: number) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toPrecision(4));

// ---- talking to the server
const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/optimise`);
let nextId = 1, inFlight = 0, pending = false, changedAt: number | null = null, sentAt = 0, ready = false;

function request(): void {
  changedAt ??= performance.now();
  if (schema) history.replaceState(null, "", "?" + encode(schema, state as unknown as Values));
  if (inFlight || !ready || socket.readyState !== WebSocket.OPEN) { pending = true; return; }
  pending = false;
  inFlight = nextId++;
  sentAt = changedAt;
  changedAt = null;
  socket.send(JSON.stringify({ type: "path", id: inFlight, settings: state }));
}

socket.addEventListener("open", () => { if (ready) request(); });
socket.addEventListener("close", () => { $("error").textContent = "the studio closed the connection: reload the page"; });
socket.addEventListener("message", (e: MessageEvent<string>) => {
  const reply = JSON.parse(e.data) as PathReply | ErrorReply;
  inFlight = 0;
  stats.last = reply;
  if (reply.type === "error") showError(reply);
  else {
    if (reply.surface) { surface = reply.surface; drawSurface(); drawPhases(); }
    path = reply;
    showError(null);
    drawPath();
    stats.paths++;
    stats.latencies.push(performance.now() - sentAt);
    $("latency").textContent = `${1 + (reply.race?.length ?? 0)} path(s) of ${state.steps} steps from torch, drawn ${Math.round(performance.now() - sentAt)} ms after the change`;
  }
  if (pending) request();
});

function showError(err: ErrorReply | null): void {
  document.querySelectorAll("input.bad").forEach((el) => el.classList.remove("bad"));
  $("error").textContent = err ? err.detail : "";
  if (!err) return;
  stats.errors++;
  const ids = err.field === "start" ? ["start-x", "start-y"] : [err.field, err.field.replace("_", "-")];
  ids.forEach((id) => document.querySelectorAll<HTMLElement>(`#${id}, input[data-field=${id}]`)
    .forEach((el) => el.classList.add("bad")));
}

// ---- the plot
function drawSurface(): void {
  if (!surface) return;
  const [x0, x1, y0, y1] = surface.extent, n = surface.size;
  x = scaleLinear().domain([x0, x1]).range([0, SIZE]);
  y = scaleLinear().domain([y0, y1]).range([SIZE, 0]);
  // d3-contour works in grid cells (sample i at i + 0.5): back to the surface's coordinates
  const gx = (c: number) => x(x0 + (c - 0.5) * (x1 - x0) / (n - 1));
  const gy = (r: number) => y(y0 + (r - 0.5) * (y1 - y0) / (n - 1));
  const ring = (pts: number[][]) => "M" + pts.map(([c, r]) => `${gx(c).toFixed(1)},${gy(r).toFixed(1)}`).join("L") + "Z";
  const shapes = contours().size([n, n]).thresholds(surface.levels)(surface.values);
  plot.selectAll("*").remove();
  plot.append("clipPath").attr("id", "inside").append("rect").attr("width", SIZE).attr("height", SIZE);
  const g = plot.append("g").attr("clip-path", "url(#inside)");
  g.selectAll("path.band").data(shapes).join("path").attr("class", "band")
    .attr("fill-opacity", (_, i) => 0.05 + 0.05 * (shapes.length - i) / shapes.length)
    .attr("d", (s) => s.coordinates.map((poly) => poly.map(ring).join("")).join(""));
  g.selectAll("path.contour").data(shapes).join("path").attr("class", "contour")
    .attr("d", (s) => s.coordinates.map((poly) => poly.map(ring).join("")).join(""))
    .append("title").text((s) => `f = ${s.value.toPrecision(3)}`);
  g.append("g").attr("class", "eigen");
  g.append("circle").attr("class", "minimum").attr("r", 4).attr("cx", x(surface.minimum[0])).attr("cy", y(surface.minimum[1]))
    .append("title").text(state.surface === "network" ? "the trained weights θ*" : `minimum (${surface.minimum.join(", ")})`);
  g.append("g").attr("class", "racers");
  g.append("path").attr("class", "path");
  g.append("g").attr("class", "iterates");
  g.append("g").attr("class", "noise");
  g.append("g").attr("class", "end");
  plot.append("circle").attr("class", "start").attr("r", 8);
}

const trace = line<[number, number]>().x((p) => x(p[0])).y((p) => y(p[1]));

function drawPath(): void {
  if (!path || !surface) return;
  const pts = path.points, colour = COLOURS[state.optimizer];
  plot.select("path.path").attr("d", trace(pts) ?? "").attr("stroke", colour);
  plot.select("g.iterates").selectAll("circle").data(pts.slice(1)).join("circle").attr("class", "iterate").attr("r", 2)
    .attr("cx", (p) => x(p[0])).attr("cy", (p) => y(p[1])).attr("fill", colour);
  plot.select("g.racers").selectAll("path").data(path.race ?? []).join("path").attr("class", "racer")
    .attr("stroke", (r) => COLOURS[r.optimizer]).attr("d", (r) => trace(r.points) ?? "");
  const [sx, sy] = pts[0];
  plot.select("circle.start").attr("cx", x(sx)).attr("cy", y(sy));
  const ends = [path, ...(path.race ?? [])].filter((p) => p.diverged !== null).map((p) => p.points[p.points.length - 1]);
  plot.select("g.end").selectAll<SVGPathElement, [number, number]>("path").data(ends).join("path").attr("class", "end")
    .attr("d", (p) => `M${x(p[0]) - 6},${y(p[1]) - 6}l12,12m0,-12l-12,12`);
  drawEigenvectors();
  drawNoise();
  const last = pts[pts.length - 1], loss = path.losses[path.losses.length - 1];
  $("status").textContent = path.diverged === null
    ? `after ${pts.length - 1} steps: w = (${fmt(last[0])}, ${fmt(last[1])}), f(w) = ${fmt(loss)}`
    : `diverged at step ${path.diverged}: the path stops at step ${pts.length - 1}, w = (${fmt(last[0])}, ${fmt(last[1])}), f(w) = ${fmt(loss)}`;
  $("steps-note").textContent = path.diverged === null ? `${pts.length - 1} steps` : `diverged at step ${path.diverged}`;
  drawLegend();
  drawChart();
  drawPhaseMarker();
}

// the eigenvectors of the quadratic, through the minimum, in their components' colours
function drawEigenvectors(): void {
  const vs = path?.components?.eigenvectors ?? [];
  plot.select("g.eigen").selectAll("line").data(vs).join("line").attr("class", "eigenvector")
    .attr("stroke", (_, i) => EIGEN[i])
    .attr("x1", (v) => x(-10 * v[0])).attr("y1", (v) => y(-10 * v[1])).attr("x2", (v) => x(10 * v[0])).attr("y2", (v) => y(10 * v[1]));
}

// the descent directions −∇L of the mini-batches (thin) and of the whole data set (thick) at the start, on one
// scale set by the full gradient, so the cloud visibly shrinks as the batch grows
function drawNoise(): void {
  const noise = path?.noise;
  const g = plot.select("g.noise");
  g.selectAll("*").remove();
  $("noise-note").textContent = "";
  if (!noise) return;
  const norm = Math.hypot(...noise.full) || 1, k = 80 / norm;
  const [ax, ay] = [x(noise.at[0]), y(noise.at[1])];
  const arrow = (gr: [number, number], cls: string) => {
    const ex = ax - k * gr[0], ey = ay + k * gr[1];  // screen y grows downwards
    const t = Math.atan2(ey - ay, ex - ax), h = cls === "full" ? 9 : 6;
    g.append("path").attr("class", `arrow ${cls}`).attr("d", `M${ax},${ay}L${ex},${ey}` +
      `M${ex - h * Math.cos(t - 0.4)},${ey - h * Math.sin(t - 0.4)}L${ex},${ey}L${ex - h * Math.cos(t + 0.4)},${ey - h * Math.sin(t + 0.4)}`);
  };
  noise.batches.forEach((b) => arrow(b, "batch"));
  arrow(noise.full, "full");
  $("noise-note").textContent = `at the start: −∇L of the whole data set (thick, |∇L| = ${fmt(norm)}) and of ` +
    `${noise.batches.length} mini-batches of ${noise.batch_size} (thin); a mini-batch's gradient is ${fmt(noise.spread)} from the full one on average`;
}

function drawLegend(): void {
  if (!path) return;
  const rows = [{ o: state.optimizer, alpha: state.alpha, p: path as Path, own: true },
                ...(path.race ?? []).map((r) => ({ o: r.optimizer, alpha: r.alpha, p: r as Path, own: false }))];
  const legend = select($("legend"));
  legend.selectAll("*").remove();
  rows.forEach((r) => {
    const item = legend.append("span").attr("class", "item");
    item.append("span").attr("class", r.own ? "swatch" : "swatch dashed").style("border-color", COLOURS[r.o]);
    const end = r.p.diverged === null ? `f = ${fmt(r.p.losses[r.p.losses.length - 1])}` : `diverged at step ${r.p.diverged}`;
    item.append("span").text(`${NAMES[r.o]} α = ${+r.alpha.toPrecision(3)}${r.own ? " (the sliders)" : ""}: ${end}`);
  });
}

// ---- the loss chart: f(w_k) against k, log scale; on the quadratic its eigen-components too, and the racers
const CW = 440, CH = 170, LEFT = 48;
const chart = select($("chart")).append("svg").attr("width", CW).attr("height", CH + 28);

function drawChart(): void {
  if (!path) return;
  type Series = { values: number[]; colour: string; width: number; dash?: string; label: string };
  const series: Series[] = [{ values: path.losses, colour: COLOURS[state.optimizer], width: 2.2, label: "f" }];
  (path.components?.losses ?? []).forEach((v, i) => series.push({
    values: v, colour: EIGEN[i], width: 1.4, dash: "5 3", label: `f${i + 1}: λ = ${fmt(path!.components!.eigenvalues[i])}` }));
  (path.race ?? []).forEach((r) => series.push({ values: r.losses, colour: COLOURS[r.optimizer], width: 1.2, label: NAMES[r.optimizer] }));
  const pos = series.flatMap((s) => s.values.filter((v) => v > 0));
  const hi = pos.length ? Math.max(...pos) : 1, lo = pos.length ? Math.min(...pos) : 1e-3;
  const steps = Math.max(1, ...series.map((s) => s.values.length - 1));
  const cx = scaleLinear().domain([0, steps]).range([LEFT, CW - 6]);
  const cy = scaleLog().domain([Math.max(lo, hi * 1e-30) * 0.8, Math.max(hi * 1.25, lo * 10)]).range([CH, 6]).clamp(true);
  chart.selectAll("*").remove();
  chart.append("g").attr("transform", `translate(0,${CH})`).call(axisBottom(cx).ticks(5));
  chart.append("g").attr("transform", `translate(${LEFT},0)`).call(axisLeft(cy).ticks(4, "~e"));
  chart.append("text").attr("x", CW - 6).attr("y", CH + 26).attr("text-anchor", "end").attr("font-size", 11)
    .attr("fill", "currentColor").text("step k");
  series.forEach((s) => chart.append("path").attr("fill", "none").attr("stroke", s.colour).attr("stroke-width", s.width)
    .attr("stroke-dasharray", s.dash ?? null).attr("class", "series")
    .attr("d", line<number>().defined((v) => v > 0).x((_, i) => cx(i)).y((v) => cy(v))(s.values) ?? "")
    .append("title").text(s.label));
  const note = path.components
    ? "dashed: the loss along each eigenvector (dotted on the plot), f = f1 + f2; blue, the smallest eigenvalue, converges last"
    : "";
  $("chart-note").textContent = note;
}

// ---- the phase diagram of momentum on the quadratic: where (α, β) converge, oscillate or diverge
const PW = 260, PH = 200, PL = 40, PB = 30;
const phaseSvg = select($("phases")).append("svg").attr("width", PW + PL + 8).attr("height", PH + PB + 6);
const pa = scaleLinear().range([PL, PL + PW]), pb = scaleLinear().range([PH, 0]);

function drawPhases(): void {
  const ph = surface?.phases;
  phaseSvg.selectAll("*").remove();
  if (!ph) return;
  pa.domain(ph.log_alpha);
  pb.domain(ph.beta);
  const n = ph.size, canvas = document.createElement("canvas");
  canvas.width = n; canvas.height = n;
  const ctx = canvas.getContext("2d")!, img = ctx.createImageData(n, n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
    const i = r * n + c, o = ((n - 1 - r) * n + c) * 4;  // row 0 is β = 0: the image's bottom
    const kind = ph.phase[i], rho = ph.rate[i];
    const depth = kind === 0 ? 0.25 : 0.25 + 0.75 * (1 - rho);  // darker where it converges faster
    PHASE_RGB[kind].forEach((v, k) => { img.data[o + k] = Math.round(255 + (v - 255) * depth); });
    img.data[o + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  phaseSvg.append("image").attr("x", PL).attr("y", 0).attr("width", PW).attr("height", PH)
    .attr("preserveAspectRatio", "none").attr("href", canvas.toDataURL()).style("image-rendering", "pixelated");
  phaseSvg.append("g").attr("transform", `translate(0,${PH})`)
    .call(axisBottom(pa).ticks(5).tickFormat((v) => `${+(10 ** +v).toPrecision(1)}`));
  phaseSvg.append("g").attr("transform", `translate(${PL},0)`).call(axisLeft(pb).ticks(5));
  phaseSvg.append("text").attr("x", PL + PW).attr("y", PH + PB).attr("text-anchor", "end").attr("font-size", 12)
    .attr("fill", "currentColor").text("step size α (log)");
  phaseSvg.append("text").attr("x", 4).attr("y", 12).attr("font-size", 12).attr("fill", "currentColor").text("β");
  phaseSvg.append("rect").attr("class", "hit").attr("x", PL).attr("width", PW).attr("height", PH).attr("fill", "transparent")
    .style("cursor", "crosshair").on("click", (e: MouseEvent) => {
      const box = (e.currentTarget as SVGRectElement).getBoundingClientRect();
      state.alpha = +(10 ** pa.invert(PL + e.clientX - box.left)).toPrecision(3);
      state.beta = Math.min(0.999, Math.max(0, +pb.invert(e.clientY - box.top).toFixed(3)));
      if (state.optimizer !== "momentum") { state.optimizer = "momentum"; $<HTMLSelectElement>("optimizer").value = "momentum"; }
      showSymbols();
      request();
    });
  phaseSvg.append("circle").attr("class", "marker").attr("r", 6);
  const legend = select($("phase-legend"));
  legend.selectAll("*").remove();
  ph.names.forEach((name, k) => {
    const item = legend.append("span").attr("class", "item");
    item.append("span").attr("class", "swatch block").style("background", `rgb(${PHASE_RGB[k].join(",")})`);
    item.append("span").text(name);
  });
}

function drawPhaseMarker(): void {
  const shown = state.surface === "quadratic" && (state.optimizer === "sgd" || state.optimizer === "momentum");
  $("phase-panel").hidden = state.surface !== "quadratic";
  $("phases").style.opacity = shown ? "1" : "0.35";
  const beta = state.optimizer === "momentum" ? state.beta : 0;
  phaseSvg.select("circle.marker").attr("visibility", shown ? "visible" : "hidden")
    .attr("cx", pa(Math.min(pa.domain()[1], Math.max(pa.domain()[0], Math.log10(state.alpha))))).attr("cy", pb(beta));
  $("phase-note").textContent = !shown ? `${NAMES[state.optimizer]} rescales each weight: it has no fixed iteration matrix, so no phase diagram`
    : path?.rate === undefined ? ""
    : `here: spectral radius ρ = ${path.rate.toPrecision(3)}, ${path.phase}` +
      (path.rate < 1 ? `: the error shrinks by ×${path.rate.toPrecision(3)} a step` : ": the error grows every step");
}

// ---- dragging the start (kept inside the plot)
function startAt(e: PointerEvent): void {
  if (!surface) return;
  const box = ($("plot") as unknown as SVGSVGElement).getBoundingClientRect();
  const px = Math.min(SIZE, Math.max(0, e.clientX - box.left)), py = Math.min(SIZE, Math.max(0, e.clientY - box.top));
  state.start = [+x.invert(px).toFixed(3), +y.invert(py).toFixed(3)];
  showStart();
  plot.select("circle.start").attr("cx", px).attr("cy", py);
  request();
}
const svg = $("plot") as unknown as SVGSVGElement;
svg.addEventListener("pointerdown", (e) => { svg.setPointerCapture(e.pointerId); startAt(e); });
svg.addEventListener("pointermove", (e) => { if (svg.hasPointerCapture(e.pointerId)) startAt(e); });

// ---- the controls
function showStart(): void {
  ($("start-x") as HTMLInputElement).value = String(state.start[0]);
  ($("start-y") as HTMLInputElement).value = String(state.start[1]);
}

function showSymbols(): void {
  document.querySelectorAll<HTMLElement>(".formula").forEach((el) => { el.hidden = el.id !== `formula-${state.optimizer}`; });
  document.querySelectorAll<HTMLElement>(".quadratic").forEach((el) => { el.hidden = state.surface !== "quadratic"; });
  document.querySelectorAll<HTMLElement>(".network").forEach((el) => { el.hidden = state.surface !== "network"; });
  document.querySelectorAll<HTMLInputElement>("input[data-field]").forEach((el) => {
    const k = el.dataset.field as Field, spec = SLIDERS[k];
    if (el.type === "range") el.value = String(spec.log ? Math.log10(state[k]) : state[k]);
    else if (document.activeElement !== el) el.value = String(state[k]);
  });
  document.querySelectorAll<HTMLInputElement>("input[name=race]").forEach((el) => { el.checked = state.race.includes(el.value as Optimizer); });
  $<HTMLInputElement>("batch-size").value = String(state.batch_size);
  $("batch-size-value").textContent = String(state.batch_size);
  $<HTMLInputElement>("steps").value = String(state.steps);
  $<HTMLSelectElement>("surface").value = state.surface;
  $<HTMLSelectElement>("optimizer").value = state.optimizer;
  $<HTMLInputElement>("condition").value = String(state.condition);
  $<HTMLInputElement>("rotation").value = String(state.rotation);
}

// each symbol of the formulas: its name, a slider and a box for an exact value
document.querySelectorAll<HTMLElement>(".sym").forEach((span) => {
  const k = span.dataset.field as Field, spec = SLIDERS[k];
  span.textContent = `${spec.label} =`;
  const slider = document.createElement("input");
  Object.assign(slider, { type: "range", min: String(spec.min), max: String(spec.max), step: spec.log ? "0.01" : "0.001" });
  slider.dataset.field = k;
  slider.setAttribute("aria-label", spec.label);
  const box = document.createElement("input");
  Object.assign(box, { type: "number", step: "any" });
  box.dataset.field = k;
  box.setAttribute("aria-label", `${spec.label} value`);
  slider.addEventListener("input", () => {
    const v = Number(slider.value);
    state[k] = spec.log ? +(10 ** v).toPrecision(3) : v;
    showSymbols();
    request();
  });
  box.addEventListener("input", () => { state[k] = box.valueAsNumber; showSymbols(); request(); });
  span.append(slider, box);
});

const numberField = (id: "condition" | "rotation" | "steps") => {
  const el = $<HTMLInputElement>(id);
  el.addEventListener("input", () => { state[id] = el.valueAsNumber; request(); });
};
numberField("condition");
numberField("rotation");
numberField("steps");
(["start-x", "start-y"] as const).forEach((id, i) => $<HTMLInputElement>(id).addEventListener("input", (e) => {
  state.start[i] = (e.target as HTMLInputElement).valueAsNumber;
  request();
}));
const choose = (id: "surface" | "optimizer") => {
  const el = $<HTMLSelectElement>(id);
  el.addEventListener("change", () => {
    (state as Record<string, unknown>)[id] = el.value;
    state.alpha = schema["x-rates"][state.surface][state.optimizer];
    if (id === "surface") { state.start = [...schema["x-starts"][state.surface]]; showStart(); }
    showSymbols();
    request();
  });
};
choose("surface");
choose("optimizer");
document.querySelectorAll<HTMLInputElement>("input[name=race]").forEach((el) => el.addEventListener("change", () => {
  state.race = [...document.querySelectorAll<HTMLInputElement>("input[name=race]:checked")].map((b) => b.value as Optimizer);
  request();
}));
$<HTMLInputElement>("batch-size").addEventListener("input", (e) => {
  state.batch_size = (e.target as HTMLInputElement).valueAsNumber;
  $("batch-size-value").textContent = String(state.batch_size);
  request();
});

// the export: the server writes the script of these settings (a field error comes back as 422)
$("export").addEventListener("click", async () => {
  const r = await fetch("/api/optimise/script", { method: "POST", body: JSON.stringify(state),
                                                  headers: { "content-type": "application/json" } });
  if (!r.ok) { showError({ type: "error", id: 0, ...(await r.json()) }); return; }
  const a = document.createElement("a");
  a.href = URL.createObjectURL(await r.blob());
  a.download = "optimiser_path.py";
  a.click();
  URL.revokeObjectURL(a.href);
});

// the settings: the server's schema's defaults, overridden by the URL
loadSchema("/api/optimise/schema").then((s) => {
  schema = s as typeof schema;
  Object.assign(state, decode(schema, location.search));
  showStart();
  showSymbols();
  ready = true;
  request();
}).catch((err) => { $("error").textContent = String(err); });
