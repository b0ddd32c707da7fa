// The playground page: sends settings and commands to the server's torch engine over a
// websocket and draws the frames it streams back. It computes nothing about the network.
import { axisBottom, axisLeft } from "d3-axis";
import { scaleLinear, scaleLog } from "d3-scale";
import { select } from "d3-selection";
import { line } from "d3-shape";

type Settings = {
  dataset: string; noise: number; train_ratio: number; data_seed: number; features: string[];
  hidden: number[]; activation: string; learning_rate: number; batch_size: number; optimizer: string;
  regularization: string; reg_rate: number;
};

type Frame = {
  type: "frame"; epoch: number; playing: boolean;
  loss: { train: number | null; test: number | null };
  accuracy: { train: number | null; test: number | null };
  output: { resolution: number; classes: number; maps: string[] };
  neurons: { resolution: number; layers: string[][] };
  weights: number[][][]; biases: number[][];
  points: { train: number[][]; test: number[][] };
  viewing: boolean; tape: [number, number]; confusion: number[][] | null; received: number;
  history: [number, number | null, number | null][];
};

const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin(x1)", "sin(x2)", "cos(x1)", "cos(x2)"];
const DEFAULTS: Settings = {
  dataset: "circle", noise: 0, train_ratio: 0.5, data_seed: 0, features: ["x1", "x2"], hidden: [4, 2],
  activation: "tanh", learning_rate: 0.03, batch_size: 10, optimizer: "sgd", regularization: "none", reg_rate: 0,
};
const MAX_LAYERS = 8, MAX_WIDTH = 16;
const NEG = [0, 114, 178], POS = [230, 159, 0], MID = [255, 255, 255];

// -- state in the URL ----------------------------------------------------------------------
function readUrl(): Settings {
  const s: Settings = JSON.parse(JSON.stringify(DEFAULTS));
  const q = new URLSearchParams(location.hash.slice(1));
  for (const [k, v] of q) {
    if (!(k in s)) continue;
    const key = k as keyof Settings;
    if (key === "features") s.features = v.split(",").filter((f) => FEATURES.includes(f));
    else if (key === "hidden") s.hidden = v ? v.split(",").map(Number) : [];
    else if (typeof DEFAULTS[key] === "number") (s as any)[key] = Number(v);
    else (s as any)[key] = v;
  }
  if (!s.features.length) s.features = [...DEFAULTS.features];
  return s;
}

function writeUrl(s: Settings): void {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(s)) q.set(k, Array.isArray(v) ? v.join(",") : String(v));
  history.replaceState(null, "", "#" + q.toString());
}

// -- drawing -------------------------------------------------------------------------------
function colour(v: number): number[] {
  // v in 0..255 for -1..1: blue through white to orange, as in TensorFlow Playground
  const t = v / 127.5 - 1;
  const end = t < 0 ? NEG : POS;
  const a = Math.abs(t);
  return MID.map((m, i) => Math.round(m + (end[i] - m) * a));
}

function paint(canvas: HTMLCanvasElement, b64: string, n: number): void {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  canvas.width = n; canvas.height = n;
  const ctx = canvas.getContext("2d")!;
  const img = ctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const [r, g, b] = colour(bytes[i]);
    img.data.set([r, g, b, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}

function drawPoints(canvas: HTMLCanvasElement, pts: number[][], classes: number, test: boolean): void {
  const ctx = canvas.getContext("2d")!;
  const n = canvas.width;
  for (const [x1, x2, y] of pts) {
    const px = ((x1 + 6) / 12) * n, py = ((6 - x2) / 12) * n;
    const v = classes ? (y === 1 ? 1 : -1) : y;
    const [r, g, b] = colour((v + 1) * 127.5);
    ctx.beginPath();
    ctx.arc(px, py, n / 110, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fill();
    ctx.lineWidth = n / 250;
    ctx.strokeStyle = test ? "#1a1a1a" : "#ffffff";
    ctx.stroke();
  }
}

class Chart {
  private svg; private width = 300; private height = 110;
  constructor(root: HTMLElement) {
    this.svg = select(root).append("svg").attr("width", this.width + 40).attr("height", this.height + 30);
  }
  draw(history: [number, number, number | null][]): void {
    const x = scaleLinear().domain([0, Math.max(1, history.length ? history[history.length - 1][0] : 1)])
      .range([36, this.width + 30]);
    const values = history.flatMap(([, a, b]) => (b === null ? [a] : [a, b])).filter((v) => v > 0);
    const y = scaleLog().domain([Math.min(...values, 1) * 0.8 || 1e-3, Math.max(...values, 1e-2) * 1.2])
      .range([this.height, 6]).clamp(true);
    this.svg.selectAll("*").remove();
    this.svg.append("g").attr("transform", `translate(0,${this.height})`).call(axisBottom(x).ticks(4));
    this.svg.append("g").attr("transform", "translate(36,0)").call(axisLeft(y).ticks(3, "~g"));
    const path = (k: 1 | 2, colour: string, dash: string) =>
      this.svg.append("path").attr("fill", "none").attr("stroke", colour).attr("stroke-width", 1.6)
        .attr("stroke-dasharray", dash)
        .attr("d", line<[number, number, number | null]>().defined((d) => d[k] !== null && d[k]! > 0)
          .x((d) => x(d[0])).y((d) => y(d[k]!))(history) ?? "");
    path(1, "#1a1a1a", "");
    path(2, "#d55e00", "4 3");
  }
}

// -- the page --------------------------------------------------------------------------------
class Playground {
  settings = readUrl();
  ws!: WebSocket;
  playing = false;
  history: [number, number, number | null][] = [];
  frames = 0;  // frames drawn (read by benchmarks/playground_rate.py)
  chart = new Chart(document.getElementById("chart")!);

  constructor() {
    this.bindControls();
    this.renderFeatures();
    this.renderNetworkShell();
    this.connect();
  }

  connect(): void {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    this.ws = new WebSocket(`${proto}://${location.host}/ws/playground`);
    this.ws.onopen = () => this.send({ type: "configure", settings: this.settings });
    this.ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.type === "frame") this.draw(msg as Frame);
      else if (msg.type === "error") this.error(msg.detail);
      else if (msg.type === "diverged") this.diverged(msg.detail, msg.epoch);
    };
  }

  sent = 0;  // messages sent: a frame's play state counts once the server has handled them all

  send(msg: object): void {
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(msg));
      this.sent++;
    }
  }

  configure(changes: Partial<Settings>, resetsNetwork = true): void {
    Object.assign(this.settings, changes);
    writeUrl(this.settings);
    if (resetsNetwork) this.history = [];
    this.send({ type: "configure", settings: changes });
    this.renderFeatures();
    this.renderNetworkShell();
  }

  error(text: string): void {
    document.getElementById("error")!.textContent = text;
  }

  diverged(text: string, epoch: number): void {
    const root = document.getElementById("error")!;
    root.textContent = text + " ";
    const b = document.createElement("button");
    b.id = "restore-good";
    b.textContent = `restore epoch ${epoch}, the last good state`;
    b.onclick = () => { this.send({ type: "restore", epoch }); root.textContent = ""; };
    root.appendChild(b);
  }

  bindControls(): void {
    const $ = (id: string) => document.getElementById(id) as HTMLInputElement;
    $("play").onclick = () => this.togglePlay();
    $("step").onclick = () => this.send({ type: "step", unit: "epoch" });
    $("reset").onclick = () => { this.history = []; this.send({ type: "reset" }); };
    $("regenerate").onclick = () => this.configure({ data_seed: this.settings.data_seed + 1 });
    for (const id of ["learning_rate", "activation", "regularization", "reg_rate", "optimizer", "batch_size",
                      "dataset", "noise", "train_ratio"]) {
      const el = $(id);
      el.value = String((this.settings as any)[id]);
      el.onchange = () => {
        const v = typeof (DEFAULTS as any)[id] === "number" ? Number(el.value) : el.value;
        const live = ["learning_rate", "regularization", "reg_rate", "optimizer", "batch_size"].includes(id);
        this.configure({ [id]: v } as Partial<Settings>, !live);
      };
    }
    $("tape").oninput = () => this.send({ type: "view", epoch: Number($("tape").value) });
    $("resume").onclick = () => { if (this.viewed !== null) this.send({ type: "restore", epoch: this.viewed }); };
    $("add-layer").onclick = () => {
      if (this.settings.hidden.length < MAX_LAYERS) this.configure({ hidden: [...this.settings.hidden, 2] });
    };
    $("remove-layer").onclick = () => {
      if (this.settings.hidden.length) this.configure({ hidden: this.settings.hidden.slice(0, -1) });
    };
    document.addEventListener("keydown", (e) => {
      if ((e.target as HTMLElement).tagName === "INPUT") return;
      if (e.key === " ") { e.preventDefault(); this.togglePlay(); }
      else if (e.key === "s") this.send({ type: "step", unit: "epoch" });
      else if (e.key === "r") { this.history = []; this.send({ type: "reset" }); }
    });
  }

  togglePlay(): void {
    this.send({ type: this.playing ? "pause" : "play" });
    this.playing = !this.playing;
    document.getElementById("play")!.textContent = this.playing ? "pause" : "play";
  }

  renderFeatures(): void {
    const root = document.getElementById("features")!;
    root.innerHTML = "";
    for (const f of FEATURES) {
      const b = document.createElement("button");
      b.textContent = f;
      b.dataset.feature = f;
      b.className = this.settings.features.includes(f) ? "on" : "";
      b.onclick = () => {
        const on = this.settings.features.includes(f);
        const next = on ? this.settings.features.filter((x) => x !== f) : [...this.settings.features, f];
        if (next.length) this.configure({ features: FEATURES.filter((x) => next.includes(x)) });
      };
      root.appendChild(b);
    }
  }

  renderNetworkShell(): void {
    const root = document.getElementById("network")!;
    root.innerHTML = "";
    const sizes = [this.settings.features.length, ...this.settings.hidden];
    sizes.forEach((n, li) => {
      const col = document.createElement("div");
      col.className = "layer";
      col.dataset.layer = String(li);
      if (li > 0) {
        const c = document.createElement("div");
        c.className = "controls";
        const minus = document.createElement("button"), plus = document.createElement("button");
        minus.textContent = "\u2212"; plus.textContent = "+";
        minus.onclick = () => this.resize(li - 1, -1);
        plus.onclick = () => this.resize(li - 1, +1);
        c.append(minus, `${n}`, plus);
        col.appendChild(c);
      }
      for (let i = 0; i < n; i++) {
        const cv = document.createElement("canvas");
        cv.className = "neuron";
        cv.title = li === 0 ? this.settings.features[i] : `layer ${li}, neuron ${i + 1}`;
        if (li > 0) cv.onmouseenter = () => {
          document.getElementById("formula")!.textContent = `h${li}_${i + 1} = ${this.formula(li, i)}`;
        };
        col.appendChild(cv);
      }
      root.appendChild(col);
    });
    root.insertAdjacentHTML("afterbegin", '<svg class="links"></svg>');
  }

  resize(layer: number, delta: number): void {
    const hidden = [...this.settings.hidden];
    hidden[layer] = Math.max(1, Math.min(MAX_WIDTH, hidden[layer] + delta));
    this.configure({ hidden });
  }

  draw(f: Frame): void {
    this.frames++;
    document.getElementById("epoch")!.textContent = String(f.epoch);
    const fmt = (v: number | null) => (v === null ? "–" : v.toFixed(3));
    document.getElementById("train-loss")!.textContent = fmt(f.loss.train);
    document.getElementById("test-loss")!.textContent = fmt(f.loss.test);
    document.getElementById("train-acc")!.textContent = f.accuracy.train === null ? "–" : (100 * f.accuracy.train).toFixed(0) + "%";
    document.getElementById("test-acc")!.textContent = f.accuracy.test === null ? "–" : (100 * f.accuracy.test).toFixed(0) + "%";
    const out = document.getElementById("output-canvas") as HTMLCanvasElement;
    paint(out, f.output.maps[0], f.output.resolution);
    const pts = document.getElementById("points-canvas") as HTMLCanvasElement;  // sharp dots over the map
    pts.getContext("2d")!.clearRect(0, 0, pts.width, pts.height);
    drawPoints(pts, f.points.train, f.output.classes, false);
    drawPoints(pts, f.points.test, f.output.classes, true);
    const columns = document.querySelectorAll<HTMLDivElement>("#network .layer");
    f.neurons.layers.forEach((maps, li) => {
      const canvases = columns[li]?.querySelectorAll<HTMLCanvasElement>("canvas.neuron") ?? [];
      maps.forEach((m, i) => canvases[i] && paint(canvases[i], m, f.neurons.resolution));
    });
    this.drawLinks(f);
    if (!f.viewing) this.history = f.history.map(([e, a, b]) => [e, a ?? 0, b]);
    this.chart.draw(this.history);
    this.drawTape(f);
    this.drawConfusion(f.confusion);
    this.weights = f.weights; this.biases = f.biases;
    if (f.received === this.sent && f.playing !== this.playing) {
      this.playing = f.playing;
      document.getElementById("play")!.textContent = this.playing ? "pause" : "play";
    }
  }

  weights: number[][][] = []; biases: number[][] = [];
  viewed: number | null = null;  // the earlier epoch shown, if any

  drawTape(f: Frame): void {
    const tape = document.getElementById("tape") as HTMLInputElement;
    tape.min = String(f.tape[0]); tape.max = String(f.tape[1]);
    tape.value = String(f.epoch);
    this.viewed = f.viewing ? f.epoch : null;
    document.getElementById("tape-label")!.textContent = f.viewing ? `viewing epoch ${f.epoch}` : "";
    (document.getElementById("resume") as HTMLButtonElement).hidden = !f.viewing;
  }

  drawConfusion(m: number[][] | null): void {
    const root = document.getElementById("confusion")!;
    if (!m) { root.innerHTML = ""; return; }
    const head = m.map((_, j) => `<th>pred ${j}</th>`).join("");
    const rows = m.map((row, i) => `<tr><th>true ${i}</th>${row.map((v) => `<td>${v}</td>`).join("")}</tr>`).join("");
    root.innerHTML = `<table><caption style="font-size:12px;color:#5f6670">test confusion matrix</caption>` +
      `<tr><th></th>${head}</tr>${rows}</table>`;
  }

  formula(layer: number, unit: number): string {
    // the neuron's pre-activation with its actual weights, e.g. tanh(0.42·x1 − 1.3·x2 + 0.1)
    const w = this.weights[layer - 1]?.[unit], b = this.biases[layer - 1]?.[unit];
    if (!w || b === undefined) return "";
    const names = layer === 1 ? this.settings.features : w.map((_, i) => `h${layer - 1}_${i + 1}`);
    const terms = w.map((v, i) => `${v < 0 ? "−" : "+"} ${Math.abs(v).toFixed(2)}·${names[i]}`).join(" ");
    const sign = b < 0 ? "−" : "+";
    return `${this.settings.activation}(${terms.replace(/^\+ /, "")} ${sign} ${Math.abs(b).toFixed(2)})`;
  }

  drawLinks(f: Frame): void {
    const root = document.getElementById("network")!;
    const box = root.getBoundingClientRect();
    const cols = Array.from(root.querySelectorAll<HTMLDivElement>(".layer"));
    const centres = cols.map((c) => Array.from(c.querySelectorAll("canvas")).map((cv) => {
      const r = cv.getBoundingClientRect();
      return [r.left - box.left, r.right - box.left, r.top - box.top + r.height / 2];
    }));
    const svg = select(root.querySelector("svg.links") as SVGSVGElement);
    svg.selectAll("*").remove();
    f.weights.slice(0, centres.length - 1).forEach((w, li) => {
      const biggest = Math.max(1e-6, ...w.flat().map(Math.abs));
      w.forEach((row, j) => row.forEach((v, i) => {
        const a = centres[li][i], b = centres[li + 1]?.[j];
        if (!a || !b) return;
        svg.append("line").attr("x1", a[1]).attr("y1", a[2]).attr("x2", b[0]).attr("y2", b[2])
          .attr("stroke", v >= 0 ? "#e69f00" : "#0072b2").attr("stroke-width", 0.5 + 4 * Math.abs(v) / biggest)
          .attr("opacity", 0.8).append("title").text(`weight ${v.toFixed(3)}`);
      }));
    });
  }
}

(window as any).playground = new Playground();
