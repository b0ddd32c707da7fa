// The optimiser page: loss contours, a draggable start and the path torch.optim takes from it.
// Every change sends the settings over the socket; the server runs the whole path again (torch) and
// answers with it (and the surface when that changed). One request is in flight at a time: changes
// made meanwhile go as one when the answer comes, so a fast drag never queues stale paths.
import { axisBottom, axisLeft } from "d3-axis";
import { contours } from "d3-contour";
import { scaleLinear, scaleLog } from "d3-scale";
import { select } from "d3-selection";
import { line } from "d3-shape";

type Field = "alpha" | "beta" | "beta1" | "beta2";
type Settings = {
  surface: "quadratic" | "rosenbrock"; condition: number; rotation: number;
  optimizer: "sgd" | "momentum" | "adam"; alpha: number; beta: number; beta1: number; beta2: number;
  start: [number, number];
};
type Surface = { key: unknown[]; extent: [number, number, number, number]; size: number; values: number[];
                 levels: number[]; minimum: [number, number] };
type PathReply = { type: "path"; id: number; points: [number, number][]; losses: number[];
                   diverged: number | null; surface?: Surface };
type ErrorReply = { type: "error"; id: number; field: string; detail: string };

const SIZE = 480;
// a symbol's slider: its range (log10 for α) and the step size each surface and optimiser starts with
const SLIDERS: Record<Field, { min: number; max: number; log: boolean; label: string }> = {
  alpha: { min: -4, max: 1, log: true, label: "α" },
  beta: { min: 0, max: 0.999, log: false, label: "β" },
  beta1: { min: 0, max: 0.999, log: false, label: "β₁" },
  beta2: { min: 0, max: 0.9999, log: false, label: "β₂" },
};
const ALPHA: Record<string, Record<string, number>> = {
  quadratic: { sgd: 1, momentum: 1, adam: 0.1 }, rosenbrock: { sgd: 0.001, momentum: 0.001, adam: 0.05 },
};
const STARTS: Record<string, [number, number]> = { quadratic: [-2.5, 2], rosenbrock: [-1.5, 2.5] };

const state: Settings = { surface: "quadratic", condition: 10, rotation: 30, optimizer: "momentum", alpha: 1,
                          beta: 0.6, beta1: 0.9, beta2: 0.999, start: [-2.5, 2] };
const stats = { latencies: [] as number[], paths: 0, errors: 0, last: null as PathReply | ErrorReply | null };
(window as unknown as { optimise: typeof stats }).optimise = stats;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const plot = select($<HTMLElement>("plot") as unknown as SVGSVGElement);
let surface: Surface | null = null;
let path: PathReply | null = null;
let x = scaleLinear().range([0, SIZE]), y = scaleLinear().range([SIZE, 0]);

// ---- talking to the server
const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/optimise`);
let nextId = 1, inFlight = 0, pending = false, changedAt: number | null = null, sentAt = 0;

function request(): void {
  changedAt ??= performance.now();
  if (inFlight || socket.readyState !== WebSocket.OPEN) { pending = true; return; }
  pending = false;
  inFlight = nextId++;
  sentAt = changedAt;
  changedAt = null;
  socket.send(JSON.stringify({ type: "path", id: inFlight, settings: state }));
}

socket.addEventListener("open", () => request());
socket.addEventListener("close", () => { $("error").textContent = "the studio closed the connection: reload the page"; });
socket.addEventListener("message", (e: MessageEvent<string>) => {
  const reply = JSON.parse(e.data) as PathReply | ErrorReply;
  inFlight = 0;
  stats.last = reply;
  if (reply.type === "error") showError(reply);
  else {
    if (reply.surface) { surface = reply.surface; drawSurface(); }
    path = reply;
    showError(null);
    drawPath();
    stats.paths++;
    stats.latencies.push(performance.now() - sentAt);
    $("latency").textContent = `path of ${reply.points.length - 1} steps from torch, drawn ${Math.round(performance.now() - sentAt)} ms after the change`;
  }
  if (pending) request();
});

function showError(err: ErrorReply | null): void {
  document.querySelectorAll("input.bad").forEach((el) => el.classList.remove("bad"));
  $("error").textContent = err ? err.detail : "";
  if (!err) return;
  stats.errors++;
  const ids = err.field === "start" ? ["start-x", "start-y"] : [err.field];
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
  g.append("circle").attr("class", "minimum").attr("r", 4).attr("cx", x(surface.minimum[0])).attr("cy", y(surface.minimum[1]))
    .append("title").text(`minimum (${surface.minimum.join(", ")})`);
  g.append("path").attr("class", "path");
  g.append("g").attr("class", "iterates");
  g.append("g").attr("class", "end");
  plot.append("circle").attr("class", "start").attr("r", 8);
}

function drawPath(): void {
  if (!path || !surface) return;
  const pts = path.points;
  plot.select("path.path").attr("d", line().x((p) => x(p[0])).y((p) => y(p[1]))(pts) ?? "");
  plot.select("g.iterates").selectAll("circle").data(pts.slice(1)).join("circle").attr("class", "iterate").attr("r", 2)
    .attr("cx", (p) => x(p[0])).attr("cy", (p) => y(p[1]));
  const [sx, sy] = pts[0];
  plot.select("circle.start").attr("cx", x(sx)).attr("cy", y(sy));
  const last = pts[pts.length - 1];
  const end = plot.select("g.end").selectAll<SVGPathElement, number>("path").data(path.diverged === null ? [] : [0])
    .join("path").attr("class", "end");
  end.attr("d", `M${x(last[0]) - 6},${y(last[1]) - 6}l12,12m0,-12l-12,12`);
  const loss = path.losses[path.losses.length - 1];
  const f = (v: number) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toPrecision(4));
  $("status").textContent = path.diverged === null
    ? `after ${pts.length - 1} steps: w = (${f(last[0])}, ${f(last[1])}), f(w) = ${f(loss)}`
    : `diverged at step ${path.diverged}: the path stops at step ${pts.length - 1}, w = (${f(last[0])}, ${f(last[1])}), f(w) = ${f(loss)}`;
  $("steps-note").textContent = path.diverged === null ? `${pts.length - 1} steps` : `diverged at step ${path.diverged}`;
  drawChart(path.losses);
}

// ---- the loss chart: f(w_k) against k, log scale (the losses are positive but for the very minimum)
const CW = 500, CH = 170, LEFT = 48;
const chart = select($("chart")).append("svg").attr("width", CW).attr("height", CH + 28);

function drawChart(losses: number[]): void {
  const pos = losses.filter((v) => v > 0);
  const hi = pos.length ? Math.max(...pos) : 1, lo = pos.length ? Math.min(...pos) : 1e-3;
  const cx = scaleLinear().domain([0, Math.max(1, losses.length - 1)]).range([LEFT, CW - 6]);
  const cy = scaleLog().domain([Math.max(lo, hi * 1e-30) * 0.8, Math.max(hi * 1.25, lo * 10)]).range([CH, 6]).clamp(true);
  chart.selectAll("*").remove();
  chart.append("g").attr("transform", `translate(0,${CH})`).call(axisBottom(cx).ticks(5));
  chart.append("g").attr("transform", `translate(${LEFT},0)`).call(axisLeft(cy).ticks(4, "~e"));
  chart.append("text").attr("x", CW - 6).attr("y", CH + 26).attr("text-anchor", "end").attr("font-size", 11)
    .attr("fill", "currentColor").text("step k");
  chart.append("path").attr("fill", "none").attr("stroke", "var(--accent)").attr("stroke-width", 1.8)
    .attr("d", line<number>().defined((v) => v > 0).x((_, i) => cx(i)).y((v) => cy(v))(losses) ?? "");
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
  document.querySelectorAll<HTMLInputElement>("input[data-field]").forEach((el) => {
    const k = el.dataset.field as Field, spec = SLIDERS[k];
    if (el.type === "range") el.value = String(spec.log ? Math.log10(state[k]) : state[k]);
    else if (document.activeElement !== el) el.value = String(state[k]);
  });
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

const numberField = (id: "condition" | "rotation") => {
  const el = $<HTMLInputElement>(id);
  el.value = String(state[id]);
  el.addEventListener("input", () => { state[id] = el.valueAsNumber; request(); });
};
numberField("condition");
numberField("rotation");
(["start-x", "start-y"] as const).forEach((id, i) => $<HTMLInputElement>(id).addEventListener("input", (e) => {
  state.start[i] = (e.target as HTMLInputElement).valueAsNumber;
  request();
}));
const choose = (id: "surface" | "optimizer") => {
  const el = $<HTMLSelectElement>(id);
  el.value = state[id];
  el.addEventListener("change", () => {
    (state as Record<string, unknown>)[id] = el.value;
    state.alpha = ALPHA[state.surface][state.optimizer];
    if (id === "surface") { state.start = [...STARTS[state.surface]]; showStart(); }
    showSymbols();
    request();
  });
};
choose("surface");
choose("optimizer");
showStart();
showSymbols();
