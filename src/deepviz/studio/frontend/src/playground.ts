// The playground page: sends settings and commands to the server's torch engine over a
// websocket and draws the frames it streams back. It computes nothing about the network.
import { select } from "d3-selection";
import { LossChart, type Point } from "./chart";
import { CLASS_RGB, colour, paintMap, paintOutput, rgb } from "./colours";
import { download, fromBase64 } from "./files";
import { decode, encode, loadSchema, parseScalar, type Prop, type Schema, type Value, type Values } from "./schema";

// Every setting the server declares (the schema) is in Values; these are the ones the page's own widgets use.
type Settings = Values & {
  dataset: string; data_seed: number; features: string[]; hidden: number[]; activation: string;
  learning_rate: number; optimizer: string; formula: string; custom: [number, number, number][];
};

type Frame = {
  type: "frame"; epoch: number; playing: boolean;
  loss: { train: number | null; test: number | null };
  accuracy: { train: number | null; test: number | null };
  output: { resolution: number; classes: number; maps: string[] };
  neurons: { resolution: number; layers: string[][] };
  weights: (number | null)[][][]; biases: (number | null)[][];
  points: { train: number[][]; test: number[][] };  // sent with a new data set only: see onFrame
  viewing: boolean; tape: [number, number]; confusion: number[][] | null; received: number;
  live: Values;  // the live settings on the server (a restore brings back older ones)
  history: Point[]; history_from: number;  // history: the entries from history_from on
};

const URL_POINTS = 600;  // drawn data sets up to this size travel in the link

/** What the page's widgets need to know of the schema: the features, the network's and the plane's size. */
function limits(schema: Schema) {
  const p = schema.properties;
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the settings schema does not give ${what}`);
    return v;
  };
  return {
    features: need(p.features?.items?.enum, "the features") as string[],
    maxLayers: need(p.hidden?.maxItems, "the most hidden layers"),
    maxWidth: need(p.hidden?.items?.maximum, "the widest layer"),
    extent: need(p.custom?.items?.prefixItems?.[0]?.maximum, "the plane's extent"),
  };
}

const $ = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as unknown as T;

// -- state in the URL ----------------------------------------------------------------------
function readUrl(schema: Schema): Settings {
  return decode(schema, location.hash.slice(1)) as Settings;  // the server's schema has the widgets' settings
}

function writeUrl(schema: Schema, s: Settings): void {
  const q = encode(schema, s, (k, v) => k !== "custom" || (v as Value[]).length <= URL_POINTS);
  history.replaceState(null, "", "#" + q);
}

// -- the page --------------------------------------------------------------------------------
class Playground {
  settings: Settings;
  lim: ReturnType<typeof limits>;
  ws!: WebSocket;
  playing = false;
  frames = 0;  // frames drawn (read by benchmarks/playground_rate.py)
  sent = 0;  // messages sent: a frame's play state counts once the server has handled them all
  chart = new LossChart($("chart"), (text) => { $("chart-readout").textContent = text; });
  last: Frame | null = null;
  hovered: [number, number] | null = null;  // the neuron shown large in the output panel
  viewed: number | null = null;  // the earlier epoch shown, if any
  drawClass = 0;  // the class a click or brush adds

  constructor(readonly schema: Schema) {
    this.settings = readUrl(schema);
    this.lim = limits(schema);
    this.bindControls();
    this.bindDrawing();
    this.renderFeatures();
    this.renderNetworkShell();
    this.renderDataTools();
    this.connect();
  }

  connect(): void {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    this.ws = new WebSocket(`${proto}://${location.host}/ws/playground`);
    this.ws.onopen = () => {
      // a drawn data set with fewer than 2 points is not sent yet (the server needs 2)
      const s = { ...this.settings };
      if (s.dataset === "custom" && s.custom.length < 2) s.dataset = "circle";
      this.send({ type: "configure", settings: s });
    };
    this.ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.type === "frame") this.onFrame(msg);
      else if (msg.type === "error") this.error(msg.detail);
      else if (msg.type === "diverged") this.diverged(msg.detail, msg.epoch);
      else if (msg.type === "download") download(msg.filename, new Blob([fromBase64(msg.data) as BlobPart], { type: msg.mime }));
      else if (msg.type === "job") this.followJob(msg.id);
    };
    this.ws.onclose = (e) => {
      if (e.code === 1013) this.error(e.reason); // the studio is full: say so, and how to make room
    };
  }

  send(msg: object): void {
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(msg));
      this.sent++;
    }
  }

  configure(changes: Values): void {
    const resets = Object.keys(changes).some((k) => !this.schema.properties[k]?.["x-live"]);
    if (resets) this.chart.keepRun(this.summary());
    Object.assign(this.settings, changes);
    this.writeUrl();
    for (const k of Object.keys(changes)) this.showValue(k);
    this.error("");
    this.send({ type: "configure", settings: changes });
    this.renderFeatures();
    this.renderNetworkShell();
    this.renderDataTools();
  }

  reset(): void {
    this.chart.keepRun(this.summary());
    this.send({ type: "reset" });
  }

  summary(): string {
    const s = this.settings;
    return `${s.dataset} · ${s.hidden.join("-") || "no hidden"} ${s.activation} · ${s.optimizer} lr ${s.learning_rate}`;
  }

  error(text: string): void {
    $("error").textContent = text;
  }

  diverged(text: string, epoch: number): void {
    const root = $("error");
    root.textContent = text + " ";
    const b = document.createElement("button");
    b.id = "restore-good";
    b.textContent = `restore epoch ${epoch}, the last good state`;
    b.onclick = () => { this.send({ type: "restore", epoch }); root.textContent = ""; };
    root.appendChild(b);
  }

  step(): void {
    this.send({ type: "step", unit: $("step-unit").value });
  }

  bindControls(): void {
    $("play").onclick = () => this.togglePlay();
    $("step").onclick = () => this.step();
    $("reset").onclick = () => this.reset();
    $("regenerate").onclick = () => this.configure({ data_seed: this.settings.data_seed + 1 });
    this.bindSettings();
    $("step-unit").onchange = () => { $("step").textContent = `step: 1 ${$("step-unit").value}`; };
    $("speed").onchange = () => this.send({ type: "speed", epochs_per_second: Number($("speed").value) });
    for (const id of ["show-test", "discretise"]) $(id).onchange = () => this.last && this.draw(this.last, false);
    $("log-scale").onchange = () => this.chart.setLog($("log-scale").checked);
    $("clear-runs").onclick = () => this.chart.clearRuns();
    $("formula").value = this.settings.formula;
    const applyFormula = () => this.configure({ dataset: "formula", formula: $("formula").value });
    $("formula-apply").onclick = applyFormula;
    $("formula").onkeydown = (e) => { if (e.key === "Enter") applyFormula(); };
    $("tape").oninput = () => this.send({ type: "view", epoch: Number($("tape").value) });
    $("resume").onclick = () => { if (this.viewed !== null) this.send({ type: "restore", epoch: this.viewed }); };
    $("add-layer").onclick = () => {
      if (this.settings.hidden.length < this.lim.maxLayers) this.configure({ hidden: [...this.settings.hidden, 2] });
    };
    $("remove-layer").onclick = () => {
      if (this.settings.hidden.length) this.configure({ hidden: this.settings.hidden.slice(0, -1) });
    };
    $("export-model").onclick = () => this.send({ type: "export", what: "state_dict" });
    $("export-script").onclick = () => this.send({ type: "export", what: "script" });
    $("export-movie").onclick = () => this.send({ type: "export", what: "movie" });
    $("export-png").onclick = () => this.exportPng();
    $("export-svg").onclick = () => download("playground.svg", new Blob([this.svgView()], { type: "image/svg+xml" }));
    document.addEventListener("keydown", (e) => {
      const tag = (e.target as HTMLElement).tagName;
      if (tag === "INPUT" || tag === "SELECT") return;
      if (e.key === " ") { e.preventDefault(); this.togglePlay(); }
      else if (e.key === "s") this.step();
      else if (e.key === "r") this.reset();
    });
  }

  // -- the settings' controls, from the schema ---------------------------------------------------
  bindSettings(): void {
    // A <select> or <input> whose id names a setting is its control (unless marked data-own: the page
    // binds it itself); a plain value the page has no control for gets one in "more settings".
    for (const [key, p] of Object.entries(this.schema.properties)) {
      const el = document.getElementById(key);
      if (p.type === "array" || el?.dataset.own !== undefined) continue;
      const control = el instanceof HTMLSelectElement || el instanceof HTMLInputElement ? el : this.makeControl(key, p);
      this.allow(control, p);
      this.showValue(key);
      control.onchange = () => {
        const v = parseScalar(p, control.value);
        if (v === undefined) {
          this.error(`${key}: ${control.value} is not allowed`);
          this.showValue(key);
        } else if (key === "dataset" && v === "custom" && this.settings.custom.length < 2) {
          // nothing to train on yet: switch the tools over and wait for points
          this.settings.dataset = "custom";
          this.writeUrl();
          this.renderDataTools();
        } else this.configure({ [key]: v });
      };
    }
  }

  makeControl(key: string, p: Prop): HTMLSelectElement | HTMLInputElement {
    const label = document.createElement("label");
    label.className = "field";
    label.textContent = `${p.description ?? p.title} `;
    const el = document.createElement(p.enum ? "select" : "input");
    el.id = key;
    if (el instanceof HTMLInputElement) {
      el.type = "number";
      el.step = p.type === "integer" ? "1" : "any";
    }
    label.appendChild(el);
    $("more-settings").appendChild(label);
    return el;
  }

  allow(el: HTMLSelectElement | HTMLInputElement, p: Prop): void {
    // a select lists the allowed values (in the page's wording where it has one); a number input gets the bounds
    if (el instanceof HTMLSelectElement) {
      const words = new Map(Array.from(el.options, (o) => [o.value, o.text]));
      const values = p.enum ? p.enum.map(String) : Array.from(words.keys()).filter((v) => parseScalar(p, v) !== undefined);
      el.replaceChildren(...values.map((v) => new Option(words.get(v) ?? v, v)));
    } else if (el.type === "number" || el.type === "range") {
      const low = p.minimum ?? p.exclusiveMinimum, high = p.maximum ?? p.exclusiveMaximum;
      if (low !== undefined) el.min = String(low);
      if (high !== undefined) el.max = String(high);
    }
  }

  showValue(key: string): void {
    // a control shows its setting's value (a select gains an option for a value it does not list, e.g. from a link)
    const el = document.getElementById(key), v = this.settings[key];
    if (!(el instanceof HTMLSelectElement || el instanceof HTMLInputElement) || el === document.activeElement) return;
    if (v === undefined || Array.isArray(v) || el.dataset.own !== undefined) return;
    if (el instanceof HTMLSelectElement && !Array.from(el.options).some((o) => o.value === String(v))) {
      el.add(new Option(String(v)));
    }
    el.value = String(v);
  }

  writeUrl(): void {
    writeUrl(this.schema, this.settings);
  }

  togglePlay(): void {
    this.send({ type: this.playing ? "pause" : "play" });
    this.playing = !this.playing;
    $("play").textContent = this.playing ? "pause" : "play";
  }

  // -- your own data: draw with the mouse, upload a CSV, or type a boundary ----------------------
  renderDataTools(): void {
    const ds = this.settings.dataset;
    $("formula-row").hidden = ds !== "formula";
    $("draw-row").hidden = ds !== "custom";
    $("dataset").value = ds;
    $("output").classList.toggle("drawing", ds === "custom");
    if (ds === "custom" && this.settings.custom.length < 2) this.drawPending();
  }

  bindDrawing(): void {
    document.querySelectorAll<HTMLButtonElement>("#draw-row button[data-class]").forEach((b) => {
      b.onclick = () => {
        this.drawClass = Number(b.dataset.class);
        document.querySelectorAll("#draw-row button[data-class]").forEach((x) => x.classList.toggle("on", x === b));
      };
    });
    $("draw-clear").onclick = () => { this.settings.custom = []; this.writeUrl(); this.drawPending(); };
    $("csv").onchange = async () => {
      const file = $("csv").files?.[0];
      if (!file) return;
      const r = await fetch("/api/points", { method: "POST", body: file });
      const body = await r.json();
      $("csv").value = "";
      if (!r.ok) { this.error(body.detail); return; }
      $("csv-note").textContent = body.note;
      this.configure({ dataset: "custom", custom: body.points });
    };
    const canvas = $<HTMLCanvasElement>("points-canvas");
    let down = false, lastPoint: [number, number] | null = null;
    const EXTENT = this.lim.extent;
    const at = (e: MouseEvent): [number, number] => {
      const r = canvas.getBoundingClientRect();
      const x1 = ((e.clientX - r.left) / r.width) * 2 * EXTENT - EXTENT;
      const x2 = EXTENT - ((e.clientY - r.top) / r.height) * 2 * EXTENT;
      const clamp = (v: number) => Math.max(-EXTENT, Math.min(EXTENT, Math.round(v * 100) / 100));
      return [clamp(x1), clamp(x2)];
    };
    const add = (p: [number, number]) => {
      this.settings.custom.push([p[0], p[1], this.drawClass]);
      lastPoint = p;
      this.drawPending();
    };
    canvas.onmousedown = (e) => {
      if (this.settings.dataset !== "custom") return;
      down = true;
      add(at(e));
    };
    canvas.onmousemove = (e) => {
      if (!down || !lastPoint) return;
      const p = at(e);  // the brush: a point every 0.35 units of travel, scattered a little
      if (Math.hypot(p[0] - lastPoint[0], p[1] - lastPoint[1]) < 0.35) return;
      const r = Number($("brush").value);
      add([Math.max(-EXTENT, Math.min(EXTENT, p[0] + (Math.random() - 0.5) * r)),
           Math.max(-EXTENT, Math.min(EXTENT, p[1] + (Math.random() - 0.5) * r))]);
    };
    const up = () => {
      if (!down) return;
      down = false;
      if (this.settings.custom.length >= 2) this.configure({ dataset: "custom", custom: this.settings.custom });
    };
    canvas.onmouseup = up;
    canvas.onmouseleave = up;
  }

  drawPending(): void {
    // points drawn but not trained on yet (fewer than 2, or mid-stroke)
    const pts = $<HTMLCanvasElement>("points-canvas");
    pts.getContext("2d")!.clearRect(0, 0, pts.width, pts.height);
    if (this.last && this.settings.custom.length >= 2) this.drawPoints(this.last, true);
    drawDots(pts, this.settings.custom, 3, false, this.lim.extent);
    $("draw-count").textContent = `${this.settings.custom.length} points`;
  }

  drawPoints(f: Frame, trainOnly = false): void {
    const pts = $<HTMLCanvasElement>("points-canvas");
    pts.getContext("2d")!.clearRect(0, 0, pts.width, pts.height);
    if (trainOnly) return;
    drawDots(pts, f.points.train, f.output.classes, false, this.lim.extent);
    if ($("show-test").checked) drawDots(pts, f.points.test, f.output.classes, true, this.lim.extent);
  }

  // -- the network ------------------------------------------------------------------------------
  renderFeatures(): void {
    const root = $("features");
    root.innerHTML = "";
    const all = this.lim.features;
    for (const f of all) {
      const b = document.createElement("button");
      b.textContent = f;
      b.dataset.feature = f;
      b.className = this.settings.features.includes(f) ? "on" : "";
      b.onclick = () => {
        const on = this.settings.features.includes(f);
        const next = on ? this.settings.features.filter((x) => x !== f) : [...this.settings.features, f];
        if (next.length) this.configure({ features: all.filter((x) => next.includes(x)) });
      };
      root.appendChild(b);
    }
  }

  renderNetworkShell(): void {
    const root = $("network");
    root.innerHTML = "";
    const sizes = [this.settings.features.length, ...this.settings.hidden];
    root.style.maxWidth = `${Math.min(760, 150 * sizes.length)}px`;  // spread, but not across the whole panel
    sizes.forEach((n, li) => {
      const col = document.createElement("div");
      col.className = "layer";
      col.dataset.layer = String(li);
      const c = document.createElement("div");
      c.className = "controls";
      if (li > 0) {
        const minus = document.createElement("button"), plus = document.createElement("button");
        minus.textContent = "\u2212"; plus.textContent = "+";
        minus.onclick = () => this.resize(li - 1, -1);
        plus.onclick = () => this.resize(li - 1, +1);
        c.append(minus, `${n}`, plus);
      } else c.textContent = "inputs";
      col.appendChild(c);
      for (let i = 0; i < n; i++) {
        const node = document.createElement("div");
        node.className = "node";
        const cv = document.createElement("canvas");
        cv.className = "neuron";
        cv.title = li === 0 ? this.settings.features[i] : `layer ${li}, neuron ${i + 1}: hover to see it large`;
        cv.onmouseenter = () => {
          this.hovered = [li, i];
          $("neuron-formula").textContent = li === 0 ? this.settings.features[i] : `h${li}_${i + 1} = ${this.formula(li, i)}`;
          if (this.last) this.drawOutput(this.last);
        };
        cv.onmouseleave = () => { this.hovered = null; if (this.last) this.drawOutput(this.last); };
        node.appendChild(cv);
        if (li > 0) {
          const bias = document.createElement("div");
          bias.className = "bias";
          bias.onclick = (e) => this.edit(e, `bias of h${li}_${i + 1}`, this.last?.biases[li - 1]?.[i] ?? 0,
                                           { layer: li - 1, index: [i] });
          node.appendChild(bias);
        }
        col.appendChild(node);
      }
      root.appendChild(col);
    });
    // the output's column: its bias (and the output neurons' links)
    root.insertAdjacentHTML("afterbegin", '<svg class="links"></svg>');
    this.linkKey = "";
  }

  resize(layer: number, delta: number): void {
    const hidden = [...this.settings.hidden];
    hidden[layer] = Math.max(1, Math.min(this.lim.maxWidth, hidden[layer] + delta));
    this.configure({ hidden });
  }

  edit(e: MouseEvent, what: string, value: number, target: { layer: number; index: number[] }): void {
    // a small box at the pointer: type a value, Enter sets it on the server's network live
    const box = $("editor");
    box.hidden = false;
    box.style.left = `${e.pageX + 8}px`;
    box.style.top = `${e.pageY - 12}px`;
    $("editor-label").textContent = what;
    const input = $("editor-input");
    input.value = value.toFixed(3);
    input.focus();
    input.select();
    input.onkeydown = (k) => {
      if (k.key === "Enter") {
        const v = Number(input.value);
        if (!Number.isFinite(v) || Math.abs(v) > 100) { this.error("value: a number between -100 and 100"); return; }
        this.send({ type: "set_weight", layer: target.layer, index: target.index, value: v });
        box.hidden = true;
      } else if (k.key === "Escape") box.hidden = true;
    };
    input.onblur = () => { box.hidden = true; };
  }

  // -- drawing a frame ------------------------------------------------------------------------------
  /** A frame from the server: without points, the data set is the one of the last frame. */
  onFrame(msg: Omit<Frame, "points"> & { points?: Frame["points"] }): void {
    const points = msg.points ?? this.last?.points;
    if (points) this.draw({ ...msg, points });
  }

  draw(f: Frame, counts = true): void {
    if (counts) this.frames++;
    this.last = f;
    $("epoch").textContent = String(f.epoch);
    const fmt = (v: number | null) => (v === null ? "–" : v.toFixed(3));
    $("train-loss").textContent = fmt(f.loss.train);
    const noTest = f.points.test.length === 0;  // every point trains (a few drawn points, a high ratio)
    $("test-loss").textContent = noTest ? "no test data" : fmt(f.loss.test);
    const pct = (v: number | null) => (v === null ? "–" : (100 * v).toFixed(0) + "%");
    $("train-acc").textContent = pct(f.accuracy.train);
    $("test-acc").textContent = noTest ? "no test data" : pct(f.accuracy.test);
    this.drawOutput(f);
    if (this.settings.dataset === "custom" && this.settings.custom.length < 2) this.drawPending();
    else this.drawPoints(f);
    const columns = document.querySelectorAll<HTMLDivElement>("#network .layer");
    f.neurons.layers.forEach((maps, li) => {
      const canvases = columns[li]?.querySelectorAll<HTMLCanvasElement>("canvas.neuron") ?? [];
      maps.forEach((m, i) => canvases[i] && paintMap(canvases[i], m, f.neurons.resolution));
    });
    columns.forEach((col, li) => {
      if (li === 0) return;
      col.querySelectorAll<HTMLDivElement>(".bias").forEach((el, i) => {
        const b = f.biases[li - 1]?.[i] ?? 0;
        el.style.background = rgb(colour(127.5 + 127.5 * Math.tanh(b)));
        el.title = `bias ${b.toFixed(3)} (click to edit)`;
      });
    });
    this.drawLinks(f);
    if (!f.viewing) this.chart.addHistory(f.history, f.history_from === 0);
    this.drawTape(f);
    this.drawConfusion(f.confusion);
    // a frame built before the server handled this page's messages (a link's settings) has stale live settings
    if (!f.viewing && f.received === this.sent) this.syncLive(f.live);
    if (f.received === this.sent && f.playing !== this.playing) {
      this.playing = f.playing;
      $("play").textContent = this.playing ? "pause" : "play";
    }
  }

  syncLive(live: Values): void {
    // the controls follow the server's live settings (changed by a restore of an earlier epoch)
    let changed = false;
    for (const [k, v] of Object.entries(live ?? {})) {
      if (this.settings[k] === v) continue;
      this.settings[k] = v;
      this.showValue(k);
      changed = true;
    }
    if (changed) this.writeUrl();
  }

  drawOutput(f: Frame): void {
    const out = $<HTMLCanvasElement>("output-canvas");
    const h = this.hovered;
    if (h && h[0] < f.neurons.layers.length && f.neurons.layers[h[0]][h[1]]) {
      paintMap(out, f.neurons.layers[h[0]][h[1]], f.neurons.resolution);
      $("output-label").textContent = h[0] === 0 ? `input ${this.settings.features[h[1]]}` : `neuron h${h[0]}_${h[1] + 1}`;
    } else {
      paintOutput(out, f.output, $("discretise").checked);
      $("output-label").textContent = "";
    }
  }

  drawTape(f: Frame): void {
    const tape = $("tape");
    tape.min = String(f.tape[0]); tape.max = String(f.tape[1]);
    tape.value = String(f.epoch);
    this.viewed = f.viewing ? f.epoch : null;
    $("tape-label").textContent = f.viewing ? `viewing epoch ${f.epoch}` : "";
    $<HTMLButtonElement>("resume").hidden = !f.viewing;
  }

  drawConfusion(m: number[][] | null): void {
    const root = $("confusion");
    if (!m) { root.innerHTML = ""; return; }
    const swatch = (k: number) => `<i style="background:${rgb(CLASS_RGB[k])}"></i>`;
    const head = m.map((_, j) => `<th>${swatch(j)}pred ${j}</th>`).join("");
    const rows = m.map((row, i) => `<tr><th>${swatch(i)}true ${i}</th>${row.map((v) => `<td>${v}</td>`).join("")}</tr>`).join("");
    root.innerHTML = `<table><caption>test confusion matrix</caption><tr><th></th>${head}</tr>${rows}</table>`;
  }

  formula(layer: number, unit: number): string {
    // the neuron's pre-activation with its actual weights, e.g. tanh(0.42·x1 − 1.3·x2 + 0.1)
    const w = this.last?.weights[layer - 1]?.[unit], b = this.last?.biases[layer - 1]?.[unit];
    if (!w || b === undefined || b === null) return "";
    const names = layer === 1 ? this.settings.features : w.map((_, i) => `h${layer - 1}_${i + 1}`);
    const terms = w.map((v, i) => `${(v ?? 0) < 0 ? "−" : "+"} ${Math.abs(v ?? NaN).toFixed(2)}·${names[i]}`).join(" ");
    const sign = b < 0 ? "−" : "+";
    return `${this.settings.activation}(${terms.replace(/^\+ /, "")} ${sign} ${Math.abs(b).toFixed(2)})`;
  }

  linkKey = "";

  drawLinks(f: Frame): void {
    // links are built once per network shape and restyled each frame (thousands at 8 layers of 16)
    const root = $("network");
    const svg = select(root.querySelector("svg.links") as SVGSVGElement);
    const cols = Array.from(root.querySelectorAll<HTMLDivElement>(".layer"));
    const key = cols.map((c) => c.querySelectorAll("canvas").length).join(",") + "|" + f.weights.map((w) => w.length).join(",");
    if (key !== this.linkKey) {
      this.linkKey = key;
      svg.selectAll("*").remove();
      const box = root.getBoundingClientRect();
      const centres = cols.map((c) => Array.from(c.querySelectorAll("canvas")).map((cv) => {
        const r = cv.getBoundingClientRect();
        return [r.left - box.left, r.right - box.left, r.top - box.top + r.height / 2];
      }));
      f.weights.slice(0, centres.length - 1).forEach((w, li) => w.forEach((row, j) => row.forEach((_, i) => {
        const a = centres[li][i], b = centres[li + 1]?.[j];
        if (!a || !b) return;
        const g = svg.append("g").attr("class", "link").attr("data-layer", li).attr("data-to", j).attr("data-from", i);
        g.append("line").attr("class", "hit").attr("x1", a[1]).attr("y1", a[2]).attr("x2", b[0]).attr("y2", b[2]);
        g.append("line").attr("class", "wire").attr("x1", a[1]).attr("y1", a[2]).attr("x2", b[0]).attr("y2", b[2]);
        g.append("title");
        g.on("click", (e: MouseEvent) => {
          const v = this.last?.weights[li]?.[j]?.[i] ?? 0;
          const from = li === 0 ? this.settings.features[i] : `h${li}_${i + 1}`;
          this.edit(e, `weight ${from} → h${li + 1}_${j + 1}`, v, { layer: li, index: [j, i] });
        });
      })));
    }
    f.weights.forEach((w, li) => {
      const biggest = Math.max(1e-6, ...w.flat().map((v) => Math.abs(v ?? 0)));
      svg.selectAll<SVGGElement, unknown>(`g.link[data-layer="${li}"]`).each(function () {
        const g = select(this);
        const v = w[Number(this.dataset.to)]?.[Number(this.dataset.from)] ?? 0;
        g.select("line.wire").attr("stroke", v >= 0 ? rgb(CLASS_RGB[1]) : rgb(CLASS_RGB[0]))
          .attr("stroke-width", 0.5 + 4 * Math.abs(v) / biggest);
        g.select("title").text(`weight ${v.toFixed(3)} (click to edit)`);
      });
    });
  }

  // -- exports made in the page: the output panel as PNG or SVG -----------------------------------
  exportPng(): void {
    const size = 600, c = document.createElement("canvas");
    c.width = size; c.height = size;
    const ctx = c.getContext("2d")!;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage($<HTMLCanvasElement>("output-canvas"), 0, 0, size, size);
    ctx.drawImage($<HTMLCanvasElement>("points-canvas"), 0, 0, size, size);
    c.toBlob((b) => b && download("playground.png", b), "image/png");
  }

  svgView(): string {
    // the heatmap as an embedded image, the data points as vector circles, and a caption
    const f = this.last;
    const map = $<HTMLCanvasElement>("output-canvas").toDataURL("image/png");
    const EXTENT = this.lim.extent;
    const dots = (pts: number[][], test: boolean) => pts.map(([x1, x2, y]) => {
      const cx = ((x1 + EXTENT) / (2 * EXTENT)) * 600, cy = ((EXTENT - x2) / (2 * EXTENT)) * 600;
      return `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="5" fill="${pointColour(y, f?.output.classes ?? 2)}" ` +
        `stroke="${test ? "#1a1a1a" : "#ffffff"}" stroke-width="1.5"/>`;
    }).join("");
    const pts = f ? dots(f.points.train, false) + ($("show-test").checked ? dots(f.points.test, true) : "") : "";
    const caption = f ? `${this.summary()} · epoch ${f.epoch} · test loss ${f.loss.test?.toFixed(3) ?? "–"}` : "";
    return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="630" viewBox="0 0 600 630">` +
      `<image href="${map}" width="600" height="600" preserveAspectRatio="none" style="image-rendering:auto"/>${pts}` +
      `<text x="4" y="622" font-family="DejaVu Sans, sans-serif" font-size="14">${caption}</text></svg>`;
  }

  followJob(id: string): void {
    // the MP4 is rendered by the studio's job queue; show its progress until the file is ready
    const bar = $<HTMLProgressElement>("movie-progress"), text = $("movie-text");
    bar.hidden = false;
    const poll = async () => {
      const r = await fetch(`/api/jobs/${id}`);
      const job = await r.json();
      bar.value = job.progress ?? 0;
      text.textContent = job.state === "done" ? "" : `${job.state}: ${job.text ?? ""}`;
      if (job.state === "done") {
        bar.hidden = true;
        const a = $<HTMLAnchorElement>("movie-link");
        a.href = `/api/jobs/${id}/file`;
        a.hidden = false;
      } else if (job.state === "failed" || job.state === "cancelled") {
        bar.hidden = true;
        text.textContent = `${job.state}: ${job.error ?? ""}`;
      } else setTimeout(poll, 400);
    };
    poll();
  }
}

function pointColour(y: number, classes: number): string {
  return rgb(classes ? CLASS_RGB[y] ?? CLASS_RGB[0] : colour((y + 1) * 127.5));
}

function drawDots(canvas: HTMLCanvasElement, pts: number[][], classes: number, test: boolean, EXTENT: number): void {
  const ctx = canvas.getContext("2d")!;
  const n = canvas.width;
  for (const [x1, x2, y] of pts) {
    const px = ((x1 + EXTENT) / (2 * EXTENT)) * n, py = ((EXTENT - x2) / (2 * EXTENT)) * n;
    ctx.beginPath();
    ctx.arc(px, py, n / 110, 0, 2 * Math.PI);
    ctx.fillStyle = pointColour(y, classes);
    ctx.fill();
    ctx.lineWidth = n / 250;
    ctx.strokeStyle = test ? "#1a1a1a" : "#ffffff";
    ctx.stroke();
  }
}

declare global {
  interface Window { playground: Playground }
}

loadSchema()
  .then((schema) => { window.playground = new Playground(schema); })
  .catch((err: Error) => { $("error").textContent = err.message; });
