// The transformer page: a tiny GPT's forward pass, every part. Typing sends the text to the server
// (POST /api/transformer/forward), which runs torch and answers with every intermediate and the last
// position's logits; temperature, top-k and top-p only re-run the softmax here, so they need no request.
// One request is in flight at a time: text typed meanwhile goes when the answer comes. The block and head
// selectors only choose what is drawn; ablating a head asks the server again with that head zeroed.
// "Train from scratch" opens /ws/transformer: the server trains the model in a thread of that socket and the
// page asks for the snapshots it lacks (each with the selected head's attention over the current text).
import { select, type Selection } from "d3-selection";
import { CLASS_RGB, colour, rgb } from "./colours";

type Matrix = (number | null)[][];
type Head = { q: Matrix; k: Matrix; v: Matrix; scores: Matrix; scaled: Matrix; masked: Matrix; weights: Matrix;
              out: Matrix; ablated: boolean };
type Block = { input: Matrix; ln1: Matrix; heads: Head[]; attn: Matrix; residual1: Matrix; ln2: Matrix;
               hidden: Matrix; mlp: Matrix; residual2: Matrix };
type Pass = { tokens: string[]; ids: number[]; tok: Matrix; pos: Matrix; embedding: Matrix; blocks: Block[];
              final: Matrix; logits: number[] };
type Info = { vocab: string[]; context: number; width: number; heads: number; head_size: number; blocks: number;
              mlp: number; parameters: number; train_loss: number; held_out_loss: number; own: boolean };
type Own = { model: string; input: number[]; layers: { name: string; kind: string; heads: number; tokens: number;
             weights: number[][][] }[] };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
type Snap = { step: number; train_loss: number; held_out_loss: number; weights: Matrix };
type TrainReply = { type: "train"; steps: number; running: boolean; error?: string | null; since?: number; tokens?: string[];
                    snapshots: Snap[] } | { type: "error"; field: string; detail: string };
const live = { tape: [] as Snap[], tokens: [] as string[], steps: 0, running: false, shown: -1 };
const stats = { latencies: [] as number[], requests: 0, errors: 0, pass: null as Pass | null, probs: [] as number[],
                ablate: [] as [number, number][], live };
(window as unknown as { transformer: typeof stats }).transformer = stats;

let info: Info;
let pass: Pass | null = null;
let before: number[] | null = null;  // the probabilities before the last ablation changed
let inFlight = false, pending = false, typedAt = 0;

/** softmax(logits / T), then the k most likely (k = 0: all) and the fewest whose sum reaches p, renormalised. */
export function probabilities(logits: number[], t: number, k: number, p: number): number[] {
  const z = logits.map((l) => l / t);
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const sum = e.reduce((a, b) => a + b, 0);
  const probs = e.map((v) => v / sum);
  const order = probs.map((_, i) => i).sort((a, b) => probs[b] - probs[a]);
  const keep = new Set<number>();
  let mass = 0;
  for (const i of order) {
    if ((k > 0 && keep.size >= k) || (keep.size > 0 && mass >= p)) break;
    keep.add(i);
    mass += probs[i];
  }
  return probs.map((v, i) => (keep.has(i) ? v / mass : 0));
}

function settings(): { t: number; k: number; p: number } {
  return { t: Number($<HTMLInputElement>("temperature").value), k: Math.max(0, Math.round(Number($<HTMLInputElement>("topk").value) || 0)),
           p: Number($<HTMLInputElement>("topp").value) };
}

// -- drawing ------------------------------------------------------------------------------------------
const CELL = 14;
type Hover = (row: number, col: number, value: number | null) => void;

/** A heatmap of ``m`` (rows × columns; null: masked, drawn hatched grey) with token labels on the rows
 * (and columns when given); signed values run blue-white-orange, ``positive`` ones white to blue. */
function heatmap(parent: Selection<HTMLElement, unknown, null, undefined>, title: string, m: Matrix, rows: string[],
                 cols: string[] | null, positive = false, hover: Hover | null = null, cell = CELL) {
  const left = 44, topPad = cols ? 40 : 4, rowH = Math.max(cell, 13);  // rows stay tall enough for their label
  const values = m.flat().filter((v): v is number => v !== null);
  const reach = Math.max(1e-9, ...values.map(Math.abs));
  const div = parent.append("div").attr("class", "map");
  div.append("div").attr("class", "title").text(title);
  const w = left + (m[0]?.length ?? 0) * cell, h = topPad + m.length * rowH;
  const fill = (v: number | null) => v === null ? "#c8cdd2" : positive ? rgb(scalePositive(v / reach)) : rgb(colour((v / reach + 1) * 127.5));
  if (!hover) {  // a picture only: one canvas (thousands of SVG cells took most of a redraw)
    const canvas = div.append("canvas").attr("width", w).attr("height", h).node()!;
    const ctx = canvas.getContext("2d")!;
    ctx.font = "10px 'DejaVu Sans', sans-serif";
    ctx.textAlign = "right";
    ctx.fillStyle = getComputedStyle(document.body).color;
    rows.forEach((r, i) => ctx.fillText(r, left - 4, topPad + i * rowH + rowH * 0.75));
    m.forEach((row, i) => row.forEach((v, j) => {
      ctx.fillStyle = fill(v);
      ctx.fillRect(left + j * cell, topPad + i * rowH, Math.max(1, cell - 1), rowH - 1);
    }));
    return div;
  }
  const svg = div.append("svg").attr("width", w).attr("height", h);
  svg.append("g").selectAll("text").data(rows).join("text").attr("x", left - 4).attr("y", (_, i) => topPad + i * rowH + rowH * 0.75)
    .attr("text-anchor", "end").text((d) => d);
  if (cols) {
    svg.append("g").selectAll("text").data(cols).join("text")
      .attr("transform", (_, j) => `translate(${left + j * cell + cell * 0.7},${topPad - 4}) rotate(-60)`).text((d) => d);
  }
  const cells = m.flatMap((row, i) => row.map((v, j) => ({ i, j, v })));
  const rects = svg.append("g").selectAll("rect").data(cells).join("rect")
    .attr("x", (d) => left + d.j * cell).attr("y", (d) => topPad + d.i * rowH).attr("width", Math.max(1, cell - 1)).attr("height", rowH - 1)
    .attr("data-row", (d) => d.i).attr("data-col", (d) => d.j).attr("fill", (d) => fill(d.v));
  rects.append("title").text((d) => d.v === null ? "−∞ (masked)" : d.v.toPrecision(3));
  rects.on("mouseenter", (_, d) => hover(d.i, d.j, d.v));
  return div;
}

function scalePositive(a: number): number[] {
  const end = CLASS_RGB[0];
  return end.map((c) => Math.round(255 + (c - 255) * Math.min(1, Math.max(0, a))));
}

function clear(id: string) {
  const s = select($<HTMLElement>(id));
  s.selectAll("*").remove();
  return s;
}

function tokenStrip(query = -1, key = -1) {
  const strip = clear("tokens");
  strip.selectAll("span").data(pass?.tokens ?? []).join("span").text((d) => d)
    .classed("query", (_, i) => i === query).classed("key", (_, i) => i === key && i !== query);
}

function current(): { b: number; h: number } {
  return { b: Number($<HTMLSelectElement>("block").value) || 0, h: Number($<HTMLSelectElement>("head").value) || 0 };
}

function drawAll() {
  if (!pass) return;
  tokenStrip();
  drawProbs();
  drawEmbedding();
  drawHead();
  drawBlock();
}

function drawProbs() {
  if (!pass) return;
  const s = settings();
  $("temperature-value").textContent = `T = ${s.t.toFixed(2)}`;
  $("topp-value").textContent = `p = ${s.p.toFixed(2)}`;
  const probs = probabilities(pass.logits, s.t, s.k, s.p);
  stats.probs = probs;
  const full = probabilities(pass.logits, s.t, 0, 1);
  const order = full.map((_, i) => i).sort((a, b) => full[b] - full[a]).slice(0, 12);
  const box = clear("probs");
  const rows = box.selectAll("div").data(order).join("div").attr("class", "bar").classed("cut", (i) => probs[i] === 0)
    .attr("data-token", (i) => info.vocab[i]).on("click", (_, i) => append(info.vocab[i]));
  rows.append("span").text((i) => info.vocab[i]);
  const track = rows.append("span").attr("class", "track");
  track.append("span").attr("class", "fill").style("width", (i) => `${probs[i] * 100}%`);
  if (before) {
    const b = before;
    track.append("span").attr("class", "ghost").style("width", (i) => `${b[i] * 100}%`);
  }
  rows.append("span").attr("class", "num").text((i) => `${(probs[i] * 100).toFixed(1)} %`);
}

function drawEmbedding() {
  if (!pass) return;
  const box = clear("embedding");
  const t = pass.tokens;
  heatmap(box, "token embedding", pass.tok, t, null, false, null, 6);
  heatmap(box, "+ position embedding", pass.pos, t.map((_, i) => `${i}`), null, false, null, 6);
  heatmap(box, "= the block's input", pass.embedding, t, null, false, null, 6);
}

function drawHead() {
  if (!pass) return;
  const { b, h } = current();
  const head = pass.blocks[b].heads[h];
  const t = pass.tokens;
  const qkv = clear("qkv");
  heatmap(qkv, "Q (queries)", head.q, t, null);
  heatmap(qkv, "K (keys)", head.k, t, null);
  heatmap(qkv, "V (values)", head.v, t, null);
  heatmap(qkv, "output = weights · V", head.out, t, null);
  const box = clear("attention");
  const d = info.head_size;
  const stages: [string, Matrix, boolean][] = [["Q Kᵀ", head.scores, false], [`÷ √${d}`, head.scaled, false],
    ["+ causal mask (−∞ above the diagonal)", head.masked, false], ["softmax by rows = attention weights", head.weights, true]];
  const maps = stages.map(([title, m, positive]) => heatmap(box, title, m, t, t, positive, light));
  function light(i: number, j: number) {
    tokenStrip(i, j);
    for (const map of maps) {
      map.selectAll<SVGRectElement, { i: number; j: number }>("rect").classed("hot", (c) => c.i === i && c.j === j)
        .classed("lit", (c) => (c.i === i) !== (c.j === j) && (c.i === i || c.j === j));
    }
    const v = (m: Matrix) => { const x = m[i][j]; return x === null ? "−∞" : x.toPrecision(3); };
    $("readout").textContent = `“${t[i]}” (query ${i}) looks at “${t[j]}” (key ${j}): q·k = ${v(head.scores)}, ÷√${d} = ` +
      `${v(head.scaled)}, masked = ${v(head.masked)}, weight = ${v(head.weights)}`;
  }
  $<HTMLInputElement>("ablate").checked = stats.ablate.some(([bb, hh]) => bb === b && hh === h);
  $("ablated").textContent = stats.ablate.length ? `zeroed: ${stats.ablate.map(([bb, hh]) => `block ${bb} head ${hh}`).join(", ")}` : "";
}

function drawBlock() {
  if (!pass) return;
  const blk = pass.blocks[current().b];
  const t = pass.tokens;
  const box = clear("block-maps");
  const parts: [string, Matrix][] = [["x (input)", blk.input], ["LayerNorm 1", blk.ln1], ["attention (heads → W_O)", blk.attn],
    ["x + attention", blk.residual1], ["LayerNorm 2", blk.ln2], [`MLP hidden (GELU, ${info.mlp})`, blk.hidden],
    ["MLP output", blk.mlp], ["+ residual = output", blk.residual2]];
  for (const [title, m] of parts) heatmap(box, title, m, t, null, false, null, m[0].length > info.width ? 2 : 6);
}

// -- live training --------------------------------------------------------------------------------------
let socket: WebSocket | null = null;
let liveBusy = false, liveKey = "", askedKey = "";

/** What the tape's maps are of: the text and the selected head (a change asks for every snapshot again). */
function selection(): string {
  const { b, h } = current();
  return JSON.stringify([$<HTMLInputElement>("text").value, b, h]);
}

function trainSend(action: "start" | "poll" | "stop") {
  if (!socket || socket.readyState !== WebSocket.OPEN) return;
  const { b, h } = current();
  askedKey = selection();
  const since = action === "start" || askedKey !== liveKey ? 0 : live.tape.length;
  liveBusy = true;
  socket.send(JSON.stringify({ type: "train", action, since, text: $<HTMLInputElement>("text").value, block: b, head: h }));
}

function startTraining() {
  if (socket && socket.readyState === WebSocket.OPEN) { trainSend("start"); return; }
  socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/transformer`);
  socket.onopen = () => trainSend("start");
  socket.onmessage = (ev) => onTrain(JSON.parse(ev.data) as TrainReply);
  socket.onclose = () => { live.running = false; socket = null; $("train-status").textContent += " (disconnected)"; };
}

function onTrain(r: TrainReply) {
  liveBusy = false;
  if (r.type === "error") {
    $("train-status").textContent = r.detail;
    return;
  }
  const atEnd = live.shown < 0 || live.shown === live.tape.length - 1;  // the slider follows the newest
  if (r.since === 0) live.tape = [];
  live.tape.push(...r.snapshots);
  live.tokens = r.tokens ?? live.tokens;
  live.steps = r.steps;
  live.running = r.running;
  liveKey = askedKey;
  const tape = $<HTMLInputElement>("tape");
  tape.max = String(Math.max(0, live.tape.length - 1));
  tape.disabled = live.tape.length === 0;
  live.shown = atEnd ? live.tape.length - 1 : Math.min(live.shown, live.tape.length - 1);
  tape.value = String(live.shown);
  const last = live.tape[live.tape.length - 1];
  $("train-status").textContent = r.error ? `train: ${r.error}` : last ? `step ${last.step} of ${r.steps}: training loss ` +
    `${last.train_loss.toFixed(3)}, held out ${last.held_out_loss.toFixed(3)} nats` + (r.running ? "" : " (done)") : "starting…";
  $("train-stop").hidden = !r.running;
  drawLive();
  if (r.running || selection() !== liveKey) setTimeout(() => { if (!liveBusy) trainSend("poll"); }, 150);
}

/** The training and held-out losses over the steps, a dashed line at the snapshot on the tape. */
function drawLoss() {
  const svg = clear("loss-curve");
  const W = 380, H = 170, l = 40, r = 10, t = 10, b = 28;
  if (!live.tape.length) return;
  const top = Math.max(...live.tape.map((s) => Math.max(s.train_loss, s.held_out_loss)));
  const x = (step: number) => l + (step / Math.max(1, live.steps)) * (W - l - r);
  const y = (loss: number) => t + (1 - loss / top) * (H - t - b);
  svg.append("line").attr("class", "axis").attr("x1", l).attr("x2", W - r).attr("y1", H - b).attr("y2", H - b);
  svg.append("line").attr("class", "axis").attr("x1", l).attr("x2", l).attr("y1", t).attr("y2", H - b);
  svg.append("text").attr("x", l - 4).attr("y", t + 8).attr("text-anchor", "end").text(top.toFixed(1));
  svg.append("text").attr("x", l - 4).attr("y", H - b).attr("text-anchor", "end").text("0");
  svg.append("text").attr("x", W - r).attr("y", H - 8).attr("text-anchor", "end").text(`step (of ${live.steps})`);
  for (const [cls, key, label, dy] of [["train", "train_loss", "training loss", 0], ["held", "held_out_loss", "held out", 14]] as const) {
    svg.append("polyline").attr("class", cls).attr("points", live.tape.map((s) => `${x(s.step)},${y(s[key])}`).join(" "));
    svg.append("text").attr("x", W - r).attr("y", t + 10 + dy).attr("text-anchor", "end").attr("class", cls)
      .style("fill", cls === "train" ? "var(--neg)" : "var(--accent)").style("stroke", "none").text(label);
  }
  const s = live.tape[live.shown];
  if (s) svg.append("line").attr("class", "now").attr("x1", x(s.step)).attr("x2", x(s.step)).attr("y1", t).attr("y2", H - b);
}

function drawLive() {
  drawLoss();
  const s = live.tape[live.shown];
  const box = clear("live-map");
  if (!s) { $("tape-step").textContent = ""; return; }
  const { b, h } = current();
  $("tape-step").textContent = `snapshot ${live.shown + 1} of ${live.tape.length}: step ${s.step}`;
  heatmap(box, `block ${b} head ${h} at step ${s.step}: attention weights`, s.weights, live.tokens, live.tokens, true);
}

/** The text or head changed: ask again for every snapshot's maps (the run goes on meanwhile). */
function refreshLive() {
  if (live.tape.length && !liveBusy) trainSend("poll");
}

// -- requests ---------------------------------------------------------------------------------------
async function request() {
  if (inFlight) { pending = true; return; }
  inFlight = true;
  const start = typedAt || performance.now();
  typedAt = 0;
  const text = $<HTMLInputElement>("text").value;
  try {
    const res = await fetch("/api/transformer/forward", { method: "POST", headers: { "content-type": "application/json" },
                                                           body: JSON.stringify({ text, ablate: stats.ablate }) });
    const body = await res.json();
    stats.requests++;
    if (!res.ok) {
      stats.errors++;
      $("error").textContent = body.detail;
      $("text").classList.add("bad");
    } else {
      $("error").textContent = "";
      $("text").classList.remove("bad");
      pass = body as Pass;
      stats.pass = pass;
      drawAll();
      const ms = performance.now() - start;
      stats.latencies.push(ms);
      $("latency").textContent = `typed → probabilities: ${ms.toFixed(0)} ms`;
    }
  } finally {
    inFlight = false;
    if (pending) { pending = false; request(); }
  }
}

function append(word: string) {
  const input = $<HTMLInputElement>("text");
  input.value = `${input.value.trimEnd()}${word === "." ? "" : " "}${word}`.trimStart();
  before = null;
  request();
}

function sample() {
  const probs = stats.probs;
  let r = Math.random(), i = 0;
  for (; i < probs.length - 1; i++) { r -= probs[i]; if (r <= 0 && probs[i] > 0) break; }
  append(info.vocab[i]);
}

// -- the tour ---------------------------------------------------------------------------------------
const TOUR: [string, string][] = [
  ["left", "A GPT reads words and predicts the next one. This one was trained by deepviz on a few hundred short sentences; type words it knows and watch the bars."],
  ["part-embedding", "Each word becomes a vector (its row of the embedding table) and each position adds a learned vector of its own: that is how the model knows word order."],
  ["part-qkv", "In every block, each head maps the (LayerNorm'd) vectors to queries, keys and values: what a word looks for, what it offers, and what it passes on."],
  ["part-attention", "A query's dot product with every key, scaled by 1/√d, with the future masked (a GPT may not read ahead), then softmax by rows: how much each word takes from each earlier one. Hover a cell."],
  ["part-block", "The heads' outputs are projected back and added to the input (the residual stream); a LayerNorm, a two-layer MLP, and another addition finish the block."],
  ["sampling", "The last position's vector becomes a score (logit) per word. Temperature flattens or sharpens the softmax; top-k and top-p keep only the likeliest words. Press sample to write on."],
  ["right", "Zero a head (ablate) and see how the next-word probabilities move: the orange ticks show where they were."],
];
let tourAt = 0;

function showTour() {
  document.querySelectorAll(".tour-target").forEach((e) => e.classList.remove("tour-target"));
  const [target, text] = TOUR[tourAt];
  $(target).classList.add("tour-target");
  $(target).scrollIntoView({ block: "nearest" });
  $("tour-text").textContent = text;
  $("tour-step").textContent = `${tourAt + 1} / ${TOUR.length}`;
}

// -- your own model ---------------------------------------------------------------------------------
async function loadOwn() {
  const res = await fetch("/api/transformer/own");
  if (!res.ok) return;
  const own = (await res.json()) as Own;
  $("part-own").hidden = false;
  $("own-note").textContent = `${own.model} on an input of shape ${own.input.join("×")}: ${own.layers.length} attention layer${own.layers.length === 1 ? "" : "s"}`;
  const layer = $<HTMLSelectElement>("own-layer"), head = $<HTMLSelectElement>("own-head");
  layer.innerHTML = own.layers.map((l, i) => `<option value="${i}">${i}: ${l.name} (${l.kind})</option>`).join("");
  const heads = () => { head.innerHTML = own.layers[Number(layer.value)].weights.map((_, i) => `<option value="${i}">${i}</option>`).join(""); };
  const draw = () => {
    const l = own.layers[Number(layer.value)];
    const box = clear("own");
    const names = l.weights[0].map((_, i) => `${i}`);
    const keys = l.weights[0][0].map((_, i) => `${i}`);
    heatmap(box, `attention weights of head ${head.value}`, l.weights[Number(head.value)], names, keys, true,
            (i, j, v) => { $("own-readout").textContent = `position ${i} looks at position ${j}: weight ${v?.toPrecision(3)}`; },
            l.tokens > 32 ? 6 : CELL);
  };
  layer.onchange = () => { heads(); draw(); };
  head.onchange = draw;
  heads();
  draw();
}

async function main() {
  info = await (await fetch("/api/transformer/model")).json();
  $("model-note").textContent = `${info.blocks} blocks × ${info.heads} heads, width ${info.width}, ${info.vocab.length} words, ` +
    `${info.parameters.toLocaleString("en")} parameters; held-out loss ${info.held_out_loss.toFixed(2)} nats ` +
    `(chance ${Math.log(info.vocab.length).toFixed(2)})`;
  $<HTMLSelectElement>("block").innerHTML = Array.from({ length: info.blocks }, (_, i) => `<option value="${i}">${i}</option>`).join("");
  $<HTMLSelectElement>("head").innerHTML = Array.from({ length: info.heads }, (_, i) => `<option value="${i}">${i}</option>`).join("");
  $("text").addEventListener("input", () => { typedAt = performance.now(); before = null; request(); refreshLive(); });
  for (const id of ["temperature", "topk", "topp"]) $(id).addEventListener("input", drawProbs);
  $("block").addEventListener("change", () => { drawHead(); drawBlock(); refreshLive(); });
  $("head").addEventListener("change", () => { drawHead(); refreshLive(); });
  $("train").addEventListener("click", startTraining);
  $("train-stop").addEventListener("click", () => trainSend("stop"));
  $("tape").addEventListener("input", () => { live.shown = Number($<HTMLInputElement>("tape").value); drawLive(); });
  $("ablate").addEventListener("change", () => {
    const { b, h } = current();
    stats.ablate = stats.ablate.filter(([bb, hh]) => bb !== b || hh !== h);
    if ($<HTMLInputElement>("ablate").checked) stats.ablate.push([b, h]);
    before = stats.probs.slice();
    request();
  });
  $("sample").addEventListener("click", sample);
  $("tour-next").addEventListener("click", () => { tourAt = (tourAt + 1) % TOUR.length; showTour(); });
  $("tour-back").addEventListener("click", () => { tourAt = (tourAt + TOUR.length - 1) % TOUR.length; showTour(); });
  showTour();
  await request();
  if (info.own) await loadOwn();
}

main();
