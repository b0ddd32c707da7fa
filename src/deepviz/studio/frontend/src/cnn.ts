// The CNN page: every activation map of a CNN for one input, and the detail of any unit. The server runs
// torch (studio/cnn.py) and holds this tab's forward pass; the page asks over one socket and only draws:
// every number shown is one the server sent. One input request is in flight at a time (a fast drawing
// sends its latest state when the answer comes), so the maps never lag behind a queue.
import { colour, rgb } from "./colours";

type Grid = number[][];
type Layer = { id: number; name: string; op: string; kind: string; shape: number[]; inputs: number[];
               maps?: Grid[]; channels?: number; side?: number[]; pooled_from?: number[] | null;
               vector?: number[]; length?: number; min: number; max: number };
type Prediction = { logits: number[]; probs: number[]; classes: string[]; predicted: number; confidence: number };
type Forward = { type: "forward"; id: number; layers: Layer[]; prediction: Prediction | null; server_ms: number };
type Detail = { kind: string; layer: number; unit: number; [key: string]: unknown };
type Explain = { type: "explain"; id: number; saliency: { class: number; map: Grid };
                 occlusion: { class: number; map: Grid; patch: number; stride: number; probability: number } };
type Attack = { type: "attack"; id: number; method: string; epsilon: number; steps: number; original: number;
                original_confidence: number; image: Grid[]; perturbation: Grid[]; probs: number[]; predicted: number;
                confidence: number; smallest_flip: number | null };
type Train = { type: "train"; id: number; network: string; step: number | null; steps?: number; done: boolean; error?: string | null;
               loss?: number; train_accuracy?: number; test_accuracy?: number; filters?: Grid[]; frame?: Omit<Forward, "type" | "id"> };
type Exported = { type: "export"; id: number; filename: string; script: string; state_dict?: string };
type Reply = Forward | Explain | Attack | Exported | Train | { type: "unit" | "cell"; id: number; detail: Detail }
  | { type: "error"; id: number; field: string; detail: string };
type Network = { name: string; shape: number[]; classes: string[]; examples: string[]; draw_side: number;
                 pixel_range: [number, number]; trainable: boolean; architecture: ArchField[] | null };
// one control of the live training's architecture, as the server's schema describes it
type ArchField = { name: string; label: string; default: number | string; min?: number; max?: number; options?: string[] };

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const stats = { forwards: 0, latencies: [] as number[], server: [] as number[], last: null as Reply | null,
                detail: null as Detail | null, cell: null as Detail | null, errors: 0,
                sent: null as Record<string, unknown> | null, explain: null as Explain | null,
                attack: null as Attack | null, script: null as string | null, train: null as Train | null,
                settled: () => true };
(window as unknown as { cnn: typeof stats }).cnn = stats;

let net: Network;
let current: Forward | null = null;
let chosen: { layer: number; unit: number } | null = null;
let scale: "local" | "layer" | "global" = "layer";

// ---- numbers and maps
const num = (v: number) => (v === 0 ? "0" : Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toExponential(2) : v.toFixed(3));
const maxAbs = (g: Grid) => g.reduce((m, r) => r.reduce((a, v) => Math.max(a, Math.abs(v)), m), 0);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = ""): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

/** A map as a canvas, one pixel per value, shown ``px`` screen pixels a value; ``range`` is the |value| of full colour. */
function mapCanvas(g: Grid, range: number, px: number): HTMLCanvasElement {
  const h = g.length, w = g[0]?.length ?? 0;
  const c = el("canvas", { class: "map" });
  c.width = w; c.height = h;
  c.style.width = `${w * px}px`; c.style.height = `${h * px}px`;
  paint(c, g, range);
  return c;
}

/** Colours a canvas of the map's size with the map (the overview repaints its canvases while you draw). */
function paint(c: HTMLCanvasElement, g: Grid, range: number): void {
  const h = g.length, w = g[0]?.length ?? 0;
  const ctx = c.getContext("2d")!;
  const img = ctx.createImageData(w, h);
  const r = range || 1;
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
    const [cr, cg, cb] = colour(127.5 + 127.5 * Math.max(-1, Math.min(1, g[i][j] / r)));
    const k = (i * w + j) * 4;
    img.data[k] = cr; img.data[k + 1] = cg; img.data[k + 2] = cb; img.data[k + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Screen pixels per value so that a map is about ``target`` pixels wide. */
const pxFor = (side: number, target: number) => Math.max(1, Math.floor(target / side));

function figure(content: HTMLElement, caption: string): HTMLElement {
  const f = el("figure");
  f.append(content, el("figcaption", { class: "cap" }, caption));
  return f;
}

function numbers(g: Grid, hot: (i: number, j: number) => boolean = () => false): HTMLTableElement {
  const t = el("table", { class: "nums" });
  const r = maxAbs(g) || 1;
  g.forEach((row, i) => {
    const tr = t.insertRow();
    row.forEach((v, j) => {
      const td = tr.insertCell();
      td.textContent = num(v);
      td.style.background = rgb(colour(127.5 + 127.5 * (v / r) * 0.6));
      if (hot(i, j)) td.classList.add("hot");
    });
  });
  return t;
}

const op = (s: string) => el("span", { class: "op" }, s);

// ---- the socket
const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/cnn`);
let nextId = 1, inFlight = 0;
let pendingInput: Record<string, unknown> | null = null, pendingSince = 0, sentSince = 0;
stats.settled = () => !inFlight && !pendingInput;  // every input sent has its answer (tests wait on it)

function send(message: Record<string, unknown>): number {
  const id = nextId++;
  socket.send(JSON.stringify({ ...message, id }));
  return id;
}

/** An input (example, pixels or drawing): sent now, or as soon as the one in flight is answered; ``since`` is
 * when the user asked (a pointer event's time stamp), from which the page measures its latency. */
function input(message: Record<string, unknown>, since = performance.now()): void {
  if (!pendingInput) pendingSince = since;
  pendingInput = { type: "input", ...message };
  flush();
}

function flush(): void {
  if (inFlight || !pendingInput || socket.readyState !== WebSocket.OPEN) return;
  inFlight = send(pendingInput);
  stats.sent = pendingInput;
  sentSince = pendingSince;
  pendingInput = null;
}

socket.addEventListener("open", () => flush());
socket.addEventListener("close", () => { $("error").textContent = "the studio closed the connection: reload the page"; });
socket.addEventListener("message", (e: MessageEvent<string>) => {
  const reply = JSON.parse(e.data) as Reply;
  stats.last = reply;
  if (reply.type === "error") {
    stats.errors++;
    $("error").textContent = reply.detail;
    if (reply.id === inFlight) { inFlight = 0; flush(); }
    return;
  }
  $("error").textContent = "";
  if (reply.type === "forward") {
    inFlight = 0;
    show(reply);
    const since = sentSince;
    // a task posted from the next animation frame runs after that frame is painted: the maps are on screen
    requestAnimationFrame(() => setTimeout(() => {
      const ms = performance.now() - since;
      stats.latencies.push(ms); stats.server.push(reply.server_ms); stats.forwards++;
      $("latency").textContent = `input to drawn maps ${Math.round(ms)} ms (torch forward ${reply.server_ms.toFixed(1)} ms)`;
    }, 0));
    flush();
  } else if (reply.type === "train") {
    stats.train = reply;
    drawTraining(reply);
  } else if (reply.type === "export") {
    stats.script = reply.script;
    download(new Blob([reply.script], { type: "text/x-python" }), reply.filename);
    if (reply.state_dict) {  // the weights of the training step on screen
      download(new Blob([Uint8Array.from(atob(reply.state_dict), (c) => c.charCodeAt(0))]), "cnn_state_dict.pt");
    }
  } else if (reply.type === "explain") {
    stats.explain = reply;
    drawExplain(reply);
  } else if (reply.type === "attack") {
    stats.attack = reply;
    drawAttack(reply);
  } else if (reply.type === "unit") {
    stats.detail = reply.detail;
    drawDetail(reply.detail);
  } else {
    stats.cell = reply.detail;
    drawCell(reply.detail);
  }
});

function download(blob: Blob, name: string): void {
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** A new forward pass on screen: the overview, the prediction, and the open detail and explanations again. */
function show(f: Forward): void {
  current = f;
  drawOverview();
  drawPrediction();
  if (chosen) ask(chosen.layer, chosen.unit);
  if (explaining()) { send({ type: "explain" }); sendAttack(); }
}

// ---- live training: the server trains from random weights; the page asks for the newest snapshot until done
let training = false;

function drawTraining(r: Train): void {
  if (r.frame) show({ type: "forward", id: r.id, ...r.frame });
  $("network").textContent = `${r.network}: input ${net.shape.join("×")}`;
  training = !r.done;
  $("train-stop").hidden = r.step === null && r.done;
  $("train").textContent = r.step === null && r.done ? "train from random weights" : "train again";
  if (r.error) { $("error").textContent = `train: ${r.error}`; training = false; }
  if (r.step === null) {
    $("train-status").textContent = r.done ? "" : "starting…";
    $("filters").replaceChildren();
  } else {
    const pct = (v: number | undefined) => `${((v ?? 0) * 100).toFixed(1)}%`;
    $("train-status").textContent = `step ${r.step} of ${r.steps}: loss ${num(r.loss ?? 0)}, accuracy ${pct(r.train_accuracy)} ` +
      `on the training digits, ${pct(r.test_accuracy)} held out` + (r.done ? " (done)" : "");
    const f = r.filters ?? [], range = Math.max(...f.map(maxAbs));
    $("filters").replaceChildren(...f.map((g, k) => figure(mapCanvas(g, range, 12), `conv1 filter ${k}`)));
  }
  if (training) setTimeout(() => send({ type: "train", action: "poll" }), 120);
}

function ask(layer: number, unit: number): void {
  chosen = { layer, unit };
  if (socket.readyState === WebSocket.OPEN) send({ type: "unit", layer, unit });
  document.querySelectorAll("canvas.chosen").forEach((c) => c.classList.remove("chosen"));
  document.querySelector(`canvas[data-layer="${layer}"][data-unit="${unit}"]`)?.classList.add("chosen");
}

// ---- the overview
function rangeOf(layer: Layer, g: Grid | null, all: Layer[]): number {
  if (scale === "local" && g) return maxAbs(g);
  if (scale === "global") return Math.max(...all.filter((l) => l.kind !== "input").map((l) => Math.max(Math.abs(l.min), Math.abs(l.max))));
  return Math.max(Math.abs(layer.min), Math.abs(layer.max));
}

/** The overview's shape: the same layers and map sizes can be repainted in place. */
let drawnShape = "";
const shapeOf = (f: Forward) => f.layers.map((l) => `${l.id}:${l.shape.join("x")}`).join(",");

function drawOverview(): void {
  if (!current) return;
  const root = $("overview");
  const layers = current.layers;
  if (shapeOf(current) === drawnShape) { repaintOverview(); return; }
  drawnShape = shapeOf(current);
  root.replaceChildren();
  for (const layer of layers) {
    const col = el("div", { class: "layer", "data-layer": String(layer.id) });
    col.append(el("div", { class: "title" }, layer.name), el("div", { class: "sub" }, `${layer.op} ${layer.shape.join("×")}`));
    const maps = el("div", { class: "maps" });
    if (layer.maps) {
      const side = Math.max(...(layer.side ?? [1]));
      const px = pxFor(side, layer.maps.length > 16 ? 40 : 64);
      layer.maps.forEach((g, k) => {
        const c = mapCanvas(g, rangeOf(layer, g, layers), px);
        c.dataset.layer = String(layer.id); c.dataset.unit = String(k);
        if (layer.kind !== "input") { c.classList.add("pick"); c.addEventListener("click", () => ask(layer.id, k)); }
        c.title = `${layer.name} channel ${k}`;
        maps.append(c);
      });
      if ((layer.channels ?? 0) > layer.maps.length) maps.append(el("div", { class: "note" }, `first ${layer.maps.length} of ${layer.channels}`));
    } else if (layer.vector) {
      const v = layer.vector;
      const c = mapCanvas(v.map((x) => [x]), rangeOf(layer, null, layers), 1);
      c.style.width = "16px"; c.style.height = `${Math.min(480, Math.max(v.length * 2, 60))}px`;
      c.dataset.layer = String(layer.id); c.dataset.unit = "0";
      c.classList.add("pick");
      c.addEventListener("click", (e) => {
        const k = Math.min(v.length - 1, Math.floor(e.offsetY / c.clientHeight * v.length));
        ask(layer.id, layer.kind === "flatten" ? flatChannel(layer, k) : k);
      });
      maps.append(c);
    }
    col.append(maps);
    root.append(col);
  }
  if (current.prediction) {
    const col = el("div", { class: "layer" });
    col.append(el("div", { class: "title" }, "softmax"), el("div", { class: "sub" }, "probabilities"));
    const bars = probabilityBars(current.prediction, 60);
    col.append(bars);
    root.append(col);
  }
  if (chosen) document.querySelector(`canvas[data-layer="${chosen.layer}"][data-unit="${chosen.unit}"]`)?.classList.add("chosen");
}

function repaintOverview(): void {
  if (!current) return;
  const layers = current.layers;
  for (const layer of layers) {
    const canvases = document.querySelectorAll<HTMLCanvasElement>(`#overview canvas[data-layer="${layer.id}"]`);
    if (layer.maps) layer.maps.forEach((g, k) => { if (canvases[k]) paint(canvases[k], g, rangeOf(layer, g, layers)); });
    else if (layer.vector && canvases[0]) paint(canvases[0], layer.vector.map((x) => [x]), rangeOf(layer, null, layers));
  }
  const bars = document.querySelector<HTMLElement>("#overview .layer:last-child .bars");
  if (bars && current.prediction) bars.replaceWith(probabilityBars(current.prediction, 60));
}

/** The input channel a position of a flattened layer comes from. */
function flatChannel(layer: Layer, k: number): number {
  const src = current?.layers.find((l) => l.id === layer.inputs[0]);
  const hw = src?.side ? src.side[0] * src.side[1] : 1;
  return Math.floor(k / hw);
}

function probabilityBars(p: Prediction, width: number): HTMLElement {
  const bars = el("div", { class: "bars" });
  p.probs.forEach((q, k) => {
    const bar = el("div", { class: "bar" + (k === p.predicted ? " top" : "") });
    bar.style.width = `${Math.max(1, q * width)}px`;
    const label = el("div", { class: "pick" }, p.classes[k]);
    label.addEventListener("click", () => ask(-1, k));
    bars.append(label, bar, el("div", {}, `${(q * 100).toFixed(1)}%`));
  });
  bars.style.gridTemplateColumns = `auto ${width}px auto`;
  return bars;
}

function drawPrediction(): void {
  const p = current?.prediction;
  if (!p) { $("prediction-line").textContent = "(the output is not a vector of class scores)"; return; }
  $("prediction-line").textContent = `${p.classes[p.predicted]}  (${(p.confidence * 100).toFixed(1)}%)`;
  $("bars").replaceChildren(...probabilityBars(p, 120).childNodes);
  $("status").textContent = `${current!.layers.length} layers`;
}

// ---- details
function layerOf(id: number): Layer | undefined { return current?.layers.find((l) => l.id === id); }

function heading(d: Detail, text: string, formula: string): HTMLElement[] {
  const layer = layerOf(d.layer);
  const h = el("h2", {}, `${layer ? layer.name : "softmax"} · ${text}`);
  const f = el("div", { class: "formula" });
  f.innerHTML = formula;
  return [h, f];
}

function drawDetail(d: Detail): void {
  const root = $("detail");
  root.replaceChildren();
  const views: Record<string, (d: Detail, root: HTMLElement) => void> = {
    conv: convView, relu: reluView, maxpool: poolView, batchnorm: bnView, flatten: flattenView, linear: linearView,
    softmax: softmaxView, add: addView,
  };
  (views[d.kind] ?? boxView)(d, root);
}

function convView(d: Detail, root: HTMLElement): void {
  const inputs = d.inputs as Grid[], kernels = d.kernels as Grid[], inter = d.intermediate as Grid[];
  const channels = d.channels as number[], out = d.output as Grid, sum = d.sum as Grid, bias = d.bias as number;
  root.append(...heading(d, `unit ${d.unit}: each input channel convolved with its own kernel`,
    `out<sub>${d.unit}</sub> = Σ<sub>c</sub> in<sub>c</sub> ∗ K<sub>${d.unit},c</sub> + b<sub>${d.unit}</sub>` +
    ` &nbsp; (stride ${(d.stride as number[]).join("×")}, padding ${(d.padding as number[]).join("×")})`));
  const rIn = Math.max(...inputs.map(maxAbs)), rInter = Math.max(...inter.map(maxAbs), maxAbs(sum));
  const side = Math.max(inputs[0].length, out.length);
  const px = pxFor(side, 96);
  const shown = Math.min(channels.length, 8);
  for (let c = 0; c < shown; c++) {
    const row = el("div", { class: "eq" });
    const stack = el("div", { class: "stack", "data-channel": String(c) });
    stack.append(mapCanvas(inputs[c], rIn, px));
    row.append(figure(stack, `input channel ${channels[c]}`), op("∗"), figure(numbers(kernels[c]), `kernel ${d.unit},${channels[c]}`),
      op("="), figure(mapCanvas(inter[c], rInter, pxFor(inter[c].length, 96)), "intermediate"));
    root.append(row);
  }
  if (channels.length > shown) root.append(el("div", { class: "note" }, `… and ${channels.length - shown} more channels (all in the sum)`));
  const total = el("div", { class: "eq" });
  const outCanvas = mapCanvas(out, maxAbs(out), pxFor(out.length, 160));
  outCanvas.id = "conv-output";
  total.append(figure(mapCanvas(sum, rInter, pxFor(sum.length, 96)), `Σ of ${channels.length} intermediate maps`), op("+"),
    figure(el("div", { class: "formula" }, `b = ${num(bias)}`), "bias"), op("="), figure(outCanvas, `output unit ${d.unit}: hover a cell`));
  root.append(total);
  root.append(el("h2", {}, "sliding kernel: the element-wise products at one output cell"));
  root.append(el("div", { id: "cell" }));
  const hover = (e: MouseEvent) => {
    const j = Math.floor(e.offsetX / outCanvas.clientWidth * out[0].length), i = Math.floor(e.offsetY / outCanvas.clientHeight * out.length);
    const last = stats.cell;
    if (last && last.row === i && last.col === j && last.unit === d.unit) return;
    send({ type: "cell", layer: d.layer, unit: d.unit, row: Math.max(0, Math.min(out.length - 1, i)), col: Math.max(0, Math.min(out[0].length - 1, j)) });
  };
  outCanvas.addEventListener("mousemove", hover);
  stats.cell = null;
  send({ type: "cell", layer: d.layer, unit: d.unit, row: 0, col: 0 });
}

function drawCell(d: Detail): void {
  const root = document.getElementById("cell");
  if (!root || stats.detail?.kind !== "conv" || stats.detail.unit !== d.unit) return;
  root.replaceChildren();
  const patch = d.patch as Grid[], kernels = d.kernels as Grid[], products = d.products as Grid[], sums = d.sums as number[];
  const row = d.row as number, col = d.col as number, top = d.top as number, left = d.left as number;
  const step = d.step as number[];
  const shown = Math.min(patch.length, 8);
  // the receptive field on each input channel of the conv view
  document.querySelectorAll<HTMLElement>("#detail .stack").forEach((stack) => {
    const canvas = stack.querySelector("canvas")!;
    const px = canvas.clientWidth / canvas.width;
    const box = stack.querySelector<HTMLElement>(".box") ?? stack.appendChild(el("div", { class: "box" }));
    const kh = kernels[0].length, kw = kernels[0][0].length;
    box.style.left = `${left * px}px`; box.style.top = `${top * px}px`;
    box.style.width = `${((kw - 1) * step[1] + 1) * px}px`; box.style.height = `${((kh - 1) * step[0] + 1) * px}px`;
  });
  root.append(el("div", { class: "note" }, `output cell (row ${row}, column ${col}); the kernel covers input rows ${top}…` +
    `${top + (kernels[0].length - 1) * step[0]}, columns ${left}…${left + (kernels[0][0].length - 1) * step[1]} (outside the input: padding zeros)`));
  for (let c = 0; c < shown; c++) {
    const eq = el("div", { class: "eq" });
    eq.append(figure(numbers(patch[c]), `input patch, channel ${(stats.detail!.channels as number[])[c]}`), op("⊙"),
      figure(numbers(kernels[c]), "kernel"), op("="), figure(numbers(products[c]), "products"), op("→ Σ ="),
      figure(el("div", { class: "formula" }, num(sums[c])), "channel sum"));
    root.append(eq);
  }
  const total = el("div", { class: "formula", id: "cell-total" });
  total.textContent = `${sums.map(num).join(" + ")} + ${num(d.bias as number)} (bias) = ${num(d.total as number)}` +
    ` (the layer's output there: ${num(d.output as number)})`;
  root.append(total);
  const out = document.getElementById("conv-output");
  if (out) out.title = `cell (${row}, ${col}) = ${num(d.output as number)}`;
}

function hoverReadout(canvas: HTMLCanvasElement, g: Grid, text: (i: number, j: number) => string, target: HTMLElement): void {
  canvas.addEventListener("mousemove", (e) => {
    const j = Math.min(g[0].length - 1, Math.floor(e.offsetX / canvas.clientWidth * g[0].length));
    const i = Math.min(g.length - 1, Math.floor(e.offsetY / canvas.clientHeight * g.length));
    target.textContent = text(i, j);
  });
}

function reluView(d: Detail, root: HTMLElement): void {
  const a = d.input as Grid | number[], b = d.output as Grid | number[];
  const grid = (x: Grid | number[]): Grid => (Array.isArray(x[0]) ? x as Grid : [x as number[]]);
  const gin = grid(a), gout = grid(b);
  root.append(...heading(d, `unit ${d.unit}: ReLU`, "ReLU(x) = max(0, x): negatives become 0, the rest pass unchanged"));
  const r = maxAbs(gin);
  const readout = el("div", { class: "formula", id: "relu-readout" }, "hover a cell");
  const cin = mapCanvas(gin, r, pxFor(gin[0].length, 160)), cout = mapCanvas(gout, r, pxFor(gout[0].length, 160));
  const say = (i: number, j: number) => `max(0, ${num(gin[i][j])}) = ${num(gout[i][j])}`;
  hoverReadout(cin, gin, say, readout); hoverReadout(cout, gout, say, readout);
  const eq = el("div", { class: "eq" });
  eq.append(figure(cin, "input"), op("→ max(0, ·) →"), figure(cout, "output"), readout);
  root.append(eq);
}

function poolView(d: Detail, root: HTMLElement): void {
  const gin = d.input as Grid, gout = d.output as Grid, where = d.argmax as number[][];
  const k = d.kernel as number[], s = d.stride as number[];
  root.append(...heading(d, `channel ${d.unit}: max-pool ${k.join("×")}, stride ${s.join("×")}`,
    "out[i, j] = max of the input window at (i·stride, j·stride): each map is pooled on its own"));
  const w = gin[0].length;
  const hot = new Set(where.flat());
  const eq = el("div", { class: "eq" });
  const readout = el("div", { class: "formula", id: "pool-readout" }, "hover an output cell");
  const cout = mapCanvas(gout, maxAbs(gin), pxFor(gout.length, 120));
  eq.append(figure(numbers(gin, (i, j) => hot.has(i * w + j)), "input (outlined: each window's maximum)"), op("→"),
    figure(cout, "output"), readout);
  hoverReadout(cout, gout, (i, j) => {
    const rows = Array.from({ length: k[0] }, (_, a) => i * s[0] + a), cols = Array.from({ length: k[1] }, (_, b) => j * s[1] + b);
    const vals = rows.flatMap((a) => cols.filter((b) => a < gin.length && b < w).map((b) => num(gin[a][b])));
    return `max(${vals.join(", ")}) = ${num(gout[i][j])}`;
  }, readout);
  root.append(eq);
}

function bnView(d: Detail, root: HTMLElement): void {
  const gin = d.input as Grid, gout = d.output as Grid;
  const [mu, v, eps, g, b] = [d.mean, d.var, d.eps, d.gamma, d.beta] as number[];
  root.append(...heading(d, `channel ${d.unit}: batch normalisation (running statistics)`,
    `y = γ (x − μ) / √(σ² + ε) + β = ${num(g)} · (x − ${num(mu)}) / √(${num(v)} + ${eps}) + ${num(b)}`));
  const readout = el("div", { class: "formula" }, "hover a cell");
  const cin = mapCanvas(gin, maxAbs(gin), pxFor(gin.length, 140)), cout = mapCanvas(gout, maxAbs(gout), pxFor(gout.length, 140));
  const say = (i: number, j: number) => `${num(g)} · (${num(gin[i][j])} − ${num(mu)}) / √(${num(v)} + ε) + ${num(b)} = ${num(gout[i][j])}`;
  hoverReadout(cin, gin, say, readout); hoverReadout(cout, gout, say, readout);
  const eq = el("div", { class: "eq" });
  eq.append(figure(cin, "input"), op("→"), figure(cout, "output"), readout);
  root.append(eq);
}

function flattenView(d: Detail, root: HTMLElement): void {
  const side = d.side as number[], offset = d.offset as number, out = d.output as number[];
  const gin = (Array.isArray((d.input as unknown[])[0]) ? d.input : [d.input]) as Grid;
  root.append(...heading(d, `channel ${d.unit} of the input, unrolled`,
    `position = c·H·W + i·W + j = ${d.unit}·${side[0] * side[1]} + i·${side[1]} + j: positions ${offset} … ${offset + out.length - 1}`));
  const eq = el("div", { class: "eq" });
  eq.append(figure(numbers(gin), `channel ${d.unit} (${side.join("×")})`), op("→"),
    figure(numbers([out]), `vector positions ${offset} … ${offset + out.length - 1}`));
  root.append(eq);
}

function linearView(d: Detail, root: HTMLElement): void {
  const x = d.input as number[], w = d.weights as number[], p = d.products as number[], top = d.largest as number[];
  root.append(...heading(d, `output ${d.unit}: a weighted sum of all ${x.length} inputs`,
    `z<sub>${d.unit}</sub> = Σ<sub>i</sub> w<sub>${d.unit},i</sub> x<sub>i</sub> + b = ${num(d.sum as number)} + ${num(d.bias as number)} = ${num(d.output as number)}`));
  const t = el("table", { class: "nums" });
  const head = t.insertRow();
  ["i", "x_i", "w_i", "w_i·x_i"].forEach((h) => { head.insertCell().textContent = h; });
  for (const i of top) {
    const r = t.insertRow();
    [String(i), num(x[i]), num(w[i]), num(p[i])].forEach((v) => { r.insertCell().textContent = v; });
  }
  root.append(el("div", { class: "note" }, `the ${top.length} largest products |w_i·x_i| of ${x.length}`), t);
}

function softmaxView(d: Detail, root: HTMLElement): void {
  const z = d.logits as number[], e = d.exp as number[], p = d.probs as number[];
  const names = current?.prediction?.classes ?? z.map((_, k) => String(k));
  root.append(...heading(d, "softmax: scores to probabilities",
    `p<sub>k</sub> = exp(z<sub>k</sub> − max z) / Σ<sub>j</sub> exp(z<sub>j</sub> − max z), &nbsp; max z = ${num(d.max as number)}, Σ = ${num(d.total as number)}`));
  const t = el("table", { class: "nums", id: "softmax-table" });
  const head = t.insertRow();
  ["class", "logit z", "exp(z − max z)", "p"].forEach((h) => { head.insertCell().textContent = h; });
  z.forEach((v, k) => {
    const r = t.insertRow();
    [names[k], num(v), num(e[k]), num(p[k])].forEach((s) => { r.insertCell().textContent = s; });
    if (k === d.unit) r.style.fontWeight = "700";
  });
  root.append(t);
}

function addView(d: Detail, root: HTMLElement): void {
  const a = d.a as Grid, b = d.b as Grid, out = d.output as Grid;
  root.append(...heading(d, `channel ${d.unit}: a residual addition`, "out = a + b, cell by cell"));
  const r = Math.max(maxAbs(a), maxAbs(b), maxAbs(out)), px = pxFor(out.length, 120);
  const eq = el("div", { class: "eq" });
  eq.append(figure(mapCanvas(a, r, px), "a"), op("+"), figure(mapCanvas(b, r, px), "b"), op("="), figure(mapCanvas(out, r, px), "output"));
  root.append(eq);
}

function boxView(d: Detail, root: HTMLElement): void {
  const layer = layerOf(d.layer);
  root.append(el("h2", {}, `${layer?.name ?? ""} · ${layer?.op ?? ""}`),
    el("p", { class: "note" }, `deepviz has no detail view for ${layer?.op ?? "this layer"}: here is its output.`));
  const out = d.output as { maps?: Grid[]; vector?: number[] };
  const g = out.maps ? out.maps[Math.min(d.unit, out.maps.length - 1)] : out.vector ? [out.vector.slice(0, 64)] : null;
  if (g) root.append(figure(mapCanvas(g, maxAbs(g), pxFor(Math.max(g.length, g[0].length), 160)), out.maps ? `channel ${d.unit}` : "values"));
}

// ---- saliency, occlusion and adversarial examples
const explaining = () => $<HTMLInputElement>("explain-on").checked;

/** An input image (C × H × W in [lo, hi]) as grey or RGB, with an optional heat overlay (any grid size, by nearest cell). */
function imageCanvas(x: Grid[], px: number, heat: Grid | null = null): HTMLCanvasElement {
  const h = x[0].length, w = x[0][0].length, range = net.pixel_range;
  const c = el("canvas", { class: "map" });
  c.width = w; c.height = h; c.style.width = `${w * px}px`; c.style.height = `${h * px}px`;
  const ctx = c.getContext("2d")!, img = ctx.createImageData(w, h);
  const top = heat ? Math.max(...heat.flat().map((v) => Math.max(0, v))) || 1 : 1;
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
    const v = (k: number) => Math.round(255 * Math.max(0, Math.min(1, (x[Math.min(k, x.length - 1)][i][j] - range[0]) / (range[1] - range[0]))));
    let rgbv = x.length === 3 ? [v(0), v(1), v(2)] : [v(0), v(0), v(0)];
    if (heat) {
      const a = Math.max(0, heat[Math.floor(i * heat.length / h)][Math.floor(j * heat[0].length / w)]) / top;
      rgbv = rgbv.map((q, k) => Math.round(q * (1 - a * 0.8) + [230, 159, 0][k] * a * 0.8));
    }
    const k = (i * w + j) * 4;
    img.data[k] = rgbv[0]; img.data[k + 1] = rgbv[1]; img.data[k + 2] = rgbv[2]; img.data[k + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

const inputMaps = (): Grid[] => current!.layers[0].maps!;
const className = (k: number) => current?.prediction?.classes[k] ?? String(k);

function drawExplain(r: Explain): void {
  if (!current?.layers[0].maps) return;
  const x = inputMaps(), px = pxFor(x[0].length, 150);
  const o = r.occlusion;
  $("explain-maps").replaceChildren(
    figure(imageCanvas(x, px), "input"),
    figure(imageCanvas(x, px, r.saliency.map), `saliency |∂z_${className(r.saliency.class)} / ∂x|`),
    figure(imageCanvas(x, px, o.map), `occlusion: drop of p(${className(o.class)}), ${o.patch}×${o.patch} patch`),
  );
  document.querySelector("#explain-maps figure:nth-child(2) canvas")!.id = "saliency";
  document.querySelector("#explain-maps figure:nth-child(3) canvas")!.id = "occlusion";
}

function sendAttack(): void {
  const steps = Number($<HTMLInputElement>("steps").value);
  send({ type: "attack", method: $<HTMLSelectElement>("method").value, epsilon: Number($<HTMLInputElement>("epsilon").value),
         steps: Number.isFinite(steps) ? steps : 0 });
}

function drawAttack(r: Attack): void {
  const px = pxFor(r.image[0].length, 150);
  const flip = r.smallest_flip === null ? "FGSM does not change the class for any ε up to the whole pixel range"
    : `the smallest ε for which FGSM changes the class: ${r.smallest_flip.toFixed(4)}`;
  $("attack-formula").innerHTML = (r.method === "fgsm"
    ? `x′ = clip(x + ε · sign(∇<sub>x</sub> loss(x, ${className(r.original)})))`
    : `x ← clip(Π<sub>ε</sub>(x + ${(2.5 * r.epsilon / r.steps).toFixed(4)} · sign(∇<sub>x</sub> loss(x, ${className(r.original)})))), ${r.steps} times`) +
    ` &nbsp; ε = ${r.epsilon.toFixed(3)}; ${flip}`;
  const changed = r.predicted !== r.original;
  const verdict = el("div", { class: "formula", id: "attack-verdict" },
    `${className(r.original)} (${(r.original_confidence * 100).toFixed(1)}%) → ${className(r.predicted)} (${(r.confidence * 100).toFixed(1)}%)` +
    (changed ? ": the class changed" : ": the same class"));
  const e = r.epsilon || 1, [lo, hi] = net.pixel_range;  // colour channels: mid-grey is no change, ±ε the ends
  const amplified = r.perturbation.map((ch) => ch.map((row) => row.map((v) => lo + (hi - lo) * (0.5 + v / (2 * e)))));
  $("attack-maps").replaceChildren(
    figure(imageCanvas(inputMaps(), px), "input"), op("+"),
    figure(r.perturbation.length === 1 ? mapCanvas(r.perturbation[0], e, px) : imageCanvas(amplified, px),
      `perturbation, amplified ×${(1 / e).toFixed(0)}`), op("="),
    figure(imageCanvas(r.image, px), "adversarial image"), verdict);
}

$<HTMLInputElement>("explain-on").addEventListener("change", () => {
  $("explain").hidden = !explaining();
  if (explaining() && current) { send({ type: "explain" }); sendAttack(); }
});
for (const id of ["method", "epsilon", "steps"]) {
  $(id).addEventListener("input", () => {
    $("epsilon-value").textContent = Number($<HTMLInputElement>("epsilon").value).toFixed(3);
    $("steps-field").hidden = $<HTMLSelectElement>("method").value !== "pgd";
    if (current) sendAttack();
  });
}
$("steps-field").hidden = true;
$("export-script").addEventListener("click", () => send({ type: "export" }));
// the architecture to train: the server validates it and names a field it refuses
function architecture(): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const f of net.architecture ?? []) {
    const v = $<HTMLInputElement>(`arch-${f.name}`).value;
    out[f.name] = f.options ? v : Number(v);
  }
  return out;
}
function architectureControls(fields: ArchField[]): void {
  $("architecture").replaceChildren(...fields.map((f) => {
    const control = f.options ? el("select", { id: `arch-${f.name}` }) : el("input", {
      id: `arch-${f.name}`, type: "number", min: String(f.min), max: String(f.max), value: String(f.default) });
    for (const o of f.options ?? []) control.append(el("option", { value: o }, o));
    control.value = String(f.default);
    const label = el("label", { class: "field" }, `${f.name} `);
    label.title = f.label;
    label.append(control);
    return label;
  }));
}
$("train").addEventListener("click", () => send({ type: "train", action: "start", ...architecture() }));
$("train-stop").addEventListener("click", () => { training = false; send({ type: "train", action: "stop" }); });

// ---- inputs: examples, uploads and the drawing
async function start(): Promise<void> {
  net = await (await fetch("/api/cnn/network")).json() as Network;
  $("network").textContent = `${net.name}: input ${net.shape.join("×")}`;
  $("train-row").hidden = !net.trainable;
  architectureControls(net.architecture ?? []);
  net.examples.forEach((name, k) => {
    const b = el("button", { "aria-pressed": String(k === 0) }, name.replace(/ \(#\d+\)$/, ""));
    b.title = name;
    b.addEventListener("click", () => {
      document.querySelectorAll("#examples button").forEach((x) => x.setAttribute("aria-pressed", "false"));
      b.setAttribute("aria-pressed", "true");
      input({ example: k });
    });
    $("examples").append(b);
  });
  if (net.examples.length) input({ example: 0 });
}

$<HTMLInputElement>("upload").addEventListener("change", async () => {
  const file = $<HTMLInputElement>("upload").files?.[0];
  if (!file) return;
  const r = await fetch("/api/cnn/image", { method: "POST", body: file });
  const body = await r.json();
  if (!r.ok) { $("error").textContent = body.detail; $("upload-note").textContent = ""; return; }
  $("upload-note").textContent = body.note;
  document.querySelectorAll("#examples button").forEach((x) => x.setAttribute("aria-pressed", "false"));
  input({ pixels: body.pixels });
});

const pad = $<HTMLCanvasElement>("draw");
const pen = pad.getContext("2d", { willReadFrequently: true })!;
function clearPad(): void { pen.fillStyle = "#000"; pen.fillRect(0, 0, pad.width, pad.height); }
clearPad();
let drawing = false, lastPoint: [number, number] | null = null;

/** The drawing at the network's drawing side: the mean ink of each block of the canvas, 0..1. */
function ink(): number[] {
  const n = net.draw_side, data = pen.getImageData(0, 0, pad.width, pad.height).data, block = pad.width / n;
  const out = new Array<number>(n * n).fill(0);
  for (let y = 0; y < pad.height; y++) for (let x = 0; x < pad.width; x++) {
    out[Math.floor(y / block) * n + Math.floor(x / block)] += data[(y * pad.width + x) * 4] / 255;
  }
  return out.map((v) => Math.min(1, v / (block * block)));
}

function stroke(e: PointerEvent): void {
  const r = pad.getBoundingClientRect();
  const p: [number, number] = [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
  pen.strokeStyle = "#fff"; pen.lineWidth = pad.width / 10; pen.lineCap = "round"; pen.lineJoin = "round";
  pen.beginPath();
  pen.moveTo(...(lastPoint ?? p)); pen.lineTo(...p); pen.stroke();
  lastPoint = p;
  document.querySelectorAll("#examples button").forEach((x) => x.setAttribute("aria-pressed", "false"));
  input({ drawing: ink() }, e.timeStamp);
}
pad.addEventListener("pointerdown", (e) => { drawing = true; lastPoint = null; pad.setPointerCapture(e.pointerId); stroke(e); });
pad.addEventListener("pointermove", (e) => { if (drawing) stroke(e); });
pad.addEventListener("pointerup", () => { drawing = false; lastPoint = null; });
$("clear").addEventListener("click", () => { clearPad(); input({ drawing: ink() }); });

document.querySelectorAll<HTMLInputElement>("input[name=scale]").forEach((r) => r.addEventListener("change", () => {
  scale = r.value as typeof scale;
  repaintOverview();
}));

void start();
