// The GAN page: sends settings and commands to the server's torch GAN (studio/gan.py) over a websocket
// and draws the frames it streams back. It computes nothing about the networks: D's map, the points,
// the gradient arrows, the manifold, the losses and divergences all come in each frame.
import { CLASS_RGB, colour, rgb } from "./colours";
import { download, fromBase64 } from "./files";
import { decode, encode, loadSchema, parseScalar, type Schema, type Value, type Values } from "./schema";

type XY = [number, number];
type Row = [number, number | null, number | null, number | null, number | null, number | null];  // it, D, G, KL, JS, MMD
interface Frame {
  iteration: number; viewing: boolean; playing: boolean; received: number;
  losses: [number | null, number | null]; divergences: (number | null)[];
  real: XY[]; fake: XY[]; gradients: XY[];
  heatmap: { grid: number; values: number[]; probability: boolean };
  manifold: XY[][][];
  history: Row[]; history_from: number; tape: [number, number]; live: Values;
}
// the VAE / autoencoder mode's frame (studio/vae_session.py)
// On the digits, decoded_grid holds 64 pixels per code, labels each shown digit's class, and real,
// reconstructions and samples are not sent.
interface VaeFrame {
  mode: "vae" | "autoencoder"; iteration: number; playing: boolean; received: number; digits: boolean;
  losses: [number, number]; real: XY[]; codes: XY[]; reconstructions: XY[]; samples: XY[]; labels: number[];
  decoded_grid: number[][]; window: number; history: Row[]; history_from: number; live: Values;
}
const MODE = ((m) => (m === "vae" || m === "autoencoder" ? m : "gan"))(new URLSearchParams(location.search).get("mode"));
const CODE = 300, CODE_GRID = 21;  // the code canvas's size in pixels; vae.CODE_GRID

const SIZE = 480;  // the canvas shows [-1, 1]^2
const REAL = CLASS_RGB[2], FAKE = [204, 121, 167];  // Okabe-Ito bluish green and reddish purple
const PHASES = {
  d: "Discriminator's update: D learns to score the real points high and the fake points low. " +
     "The heatmap changes; the points stay where they are.",
  g: "Generator's update: each fake point moves along its arrow, towards where D scores points as real. " +
     "The points and the manifold move; the heatmap stays.",
};
const $ = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as unknown as T;
const fmt = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v.toPrecision(3));
const toPx = (v: number) => ((v + 1) / 2) * SIZE;

class GanPage {
  settings: Values;
  ws!: WebSocket;
  frames = 0;  // frames drawn (read by benchmarks/gan_page.py and the browser tests)
  sent = 0;
  playing = false;
  slow = false;
  slowTimer = 0;
  history: Row[] = [];
  last: Frame | null = null;
  vae: VaeFrame | null = null;
  pointer: XY | null = null;  // the code under the pointer (the VAE mode)
  drawing: XY[] = [];

  constructor(readonly schema: Schema) {
    this.settings = decode(schema, location.hash.slice(1));
    this.drawing = (this.settings.drawn as XY[]).slice();
    document.body.classList.add(MODE === "gan" ? "gan" : "vae");
    $(`mode-${MODE}`).setAttribute("aria-current", "page");
    this.controls();
    this.bindCanvas();
    this.bindCodeCanvas();
    this.connect();
  }

  connect(): void {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    this.ws = new WebSocket(`${proto}://${location.host}/ws/${MODE === "gan" ? "gan" : "vae"}`);
    this.ws.onopen = () => {
      const s = { ...this.settings };
      if (MODE !== "gan") s.model = MODE;
      if (s.distribution === "drawn" && (s.drawn as XY[]).length < 8) s.distribution = "ring";  // not drawn yet
      this.send({ type: "configure", settings: s });
    };
    this.ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.type === "frame" && msg.mode) this.onVaeFrame(msg);
      else if (msg.type === "frame") this.onFrame(msg);
      else if (msg.type === "error") this.error(msg.detail);
      else if (msg.type === "diverged") { this.error(msg.detail); this.setPlaying(false); }
      else if (msg.type === "job") this.error(`the MP4 is rendering as job ${msg.id}: the gallery shows it when done`);
      else if (msg.type === "download") download(msg.filename, new Blob([fromBase64(msg.data) as BlobPart], { type: msg.mime }));
    };
  }

  send(msg: object): void {
    if (this.ws.readyState === WebSocket.OPEN) { this.ws.send(JSON.stringify(msg)); this.sent++; }
  }

  error(text: string): void { $("error").textContent = text; }

  configure(changes: Values): void {
    Object.assign(this.settings, changes);
    history.replaceState(null, "", "#" + encode(this.schema, this.settings, (k, v) => k !== "drawn" || (v as Value[]).length <= 200));
    this.error("");
    this.send({ type: "configure", settings: changes });
  }

  // -- controls: one per setting the schema labels, bounded by it --------------------------------------------
  controls(): void {
    const box = $("settings");
    for (const [key, p] of Object.entries(this.schema.properties)) {
      if (!p.description || key === "model") continue;  // the model is the page's mode
      const label = document.createElement("label");
      label.className = "field";
      label.textContent = p.description;
      let input: HTMLInputElement | HTMLSelectElement;
      if (p.enum) {
        input = document.createElement("select");
        for (const v of p.enum) input.append(new Option(String(v), String(v)));
      } else {
        input = document.createElement("input");
        input.type = "number";
        input.step = p.type === "integer" ? "1" : "any";
        if (p.minimum !== undefined) input.min = String(p.minimum);
        if (p.maximum !== undefined) input.max = String(p.maximum);
      }
      input.id = "set-" + key;
      input.value = String(this.settings[key]);
      input.onchange = () => {
        const v = parseScalar(p, input.value);
        if (v === undefined) { this.error(`${key}: not allowed (${input.value})`); return; }
        if (key === "distribution" && v === "drawn") { this.startDrawing(); return; }
        $("draw-tools").hidden = true;
        this.configure({ [key]: v });
      };
      label.append(input);
      box.append(label);
    }
    $("play").onclick = () => this.setPlaying(!this.playing);
    $("step").onclick = () => { this.setPlaying(false); this.send({ type: "step", unit: "iteration" }); };
    $("step-d").onclick = () => { this.setPlaying(false); this.phase("d"); this.send({ type: "step", unit: "d" }); };
    $("step-g").onclick = () => { this.setPlaying(false); this.phase("g"); this.send({ type: "step", unit: "g" }); };
    $("reset").onclick = () => { this.setPlaying(false); this.history = []; this.send({ type: "reset" }); };
    $("slow").onchange = () => { const on = $("slow").checked; this.setPlaying(false); this.slow = on; };
    $("speed").oninput = () => this.send({ type: "speed", epochs_per_second: Number($("speed").value) });
    $("tape").oninput = () => this.send({ type: "view", epoch: Number($("tape").value) });
    $("restore").onclick = () => this.send({ type: "restore", epoch: Number($("tape").value) });
    $("use-drawn").onclick = () => this.configure({ distribution: "drawn", drawn: this.drawing.map(([x, y]) => [x, y]) });
    $("clear-drawn").onclick = () => { this.drawing = []; this.draw(); };
    for (const what of ["state_dict", "script", "movie"]) $(`export-${what}`).onclick = () => this.send({ type: "export", what });
    for (const id of ["show-map", "show-real", "show-fake", "show-arrows", "show-manifold"]) $(id).onchange = () => this.draw();
  }

  setPlaying(on: boolean): void {
    this.playing = on;
    $("play").textContent = on ? "pause" : "play";
    clearTimeout(this.slowTimer);
    if (this.slow) {
      this.send({ type: "pause" });
      if (on) this.slowStep("d");
      else this.phase(null);
      return;
    }
    this.phase(null);
    this.send({ type: on ? "play" : "pause" });
  }

  /** Slow motion: D's update, a pause to read it, then G's, and so on. */
  slowStep(unit: "d" | "g"): void {
    if (!this.playing || !this.slow) return;
    this.phase(unit);
    this.send({ type: "step", unit });
    this.slowTimer = window.setTimeout(() => this.slowStep(unit === "d" ? "g" : "d"), 1600);
  }

  phase(unit: "d" | "g" | null): void {
    $("phase").textContent = unit ? PHASES[unit] : "";
    $("phase").dataset.phase = unit ?? "";
  }

  startDrawing(): void {
    $("draw-tools").hidden = false;
    this.error("");
    this.draw();
  }

  bindCodeCanvas(): void {
    const canvas = $<HTMLCanvasElement>("code");
    canvas.onpointermove = (e) => {
      const r = canvas.getBoundingClientRect();
      const w = this.vae?.window ?? 3;
      this.pointer = [((e.clientX - r.left) / r.width * 2 - 1) * w, (1 - (e.clientY - r.top) / r.height * 2) * w];
      this.drawVae();
    };
    canvas.onpointerleave = () => { this.pointer = null; this.drawVae(); };
  }

  /** The decoding of the grid code nearest the pointer (the server decodes the grid in every frame). */
  decodedUnderPointer(f: VaeFrame): number[] | null {
    if (!this.pointer) return null;
    const cell = (v: number) => Math.max(0, Math.min(CODE_GRID - 1, Math.round((v / f.window + 1) / 2 * (CODE_GRID - 1))));
    const col = cell(this.pointer[0]), row = CODE_GRID - 1 - cell(this.pointer[1]);  // rows from the top
    return f.decoded_grid[row * CODE_GRID + col];
  }

  onVaeFrame(f: VaeFrame): void {
    this.frames++;
    this.vae = f;
    document.body.classList.toggle("digits", f.digits);
    this.history = f.history_from === 0 ? f.history : this.history.concat(f.history);
    if (f.received >= this.sent && f.playing !== this.playing) {
      this.playing = f.playing;
      $("play").textContent = f.playing ? "pause" : "play";
    }
    $("iteration").textContent = String(f.iteration);
    $("recon").textContent = fmt(f.losses[0]);
    $("code-kl").textContent = fmt(f.losses[1]);
    this.drawVae();
    this.chart("loss-chart", f.mode === "vae" ? [[1, "reconstruction", "#1a1a1a"], [2, "KL", rgb(FAKE)]]
      : [[1, "reconstruction", "#1a1a1a"]]);
  }

  drawVae(): void {
    const f = this.vae;
    const ctx = $<HTMLCanvasElement>("plot").getContext("2d")!;
    ctx.clearRect(0, 0, SIZE, SIZE);
    const code = $<HTMLCanvasElement>("code").getContext("2d")!;
    code.clearRect(0, 0, CODE, CODE);
    if (!f) return;
    if (f.digits) { this.drawDigits(f, ctx, code); return; }
    const byX = (x: number) => colour(Math.max(0, Math.min(255, 127.5 * (x + 1))));
    const dot = (c: CanvasRenderingContext2D, x: number, y: number, r: number, fill: string) => {
      c.fillStyle = fill; c.beginPath(); c.arc(x, y, r, 0, 2 * Math.PI); c.fill();
    };
    const showFake = $("show-fake").checked, showReal = $("show-real").checked;
    for (const [x, y] of f.samples) dot(ctx, toPx(x), toPx(-y), 2, "rgba(120,120,120,0.6)");
    if (showFake) {
      ctx.strokeStyle = "rgba(204,121,167,0.5)";
      f.real.forEach(([x, y], i) => {
        const [rx, ry] = f.reconstructions[i];
        ctx.beginPath(); ctx.moveTo(toPx(x), toPx(-y)); ctx.lineTo(toPx(rx), toPx(-ry)); ctx.stroke();
        dot(ctx, toPx(rx), toPx(-ry), 2.5, rgb(FAKE));
      });
    }
    const codePx = (v: number) => ((v / f.window + 1) / 2) * CODE;
    f.real.forEach(([x, y], i) => {
      if (showReal) dot(ctx, toPx(x), toPx(-y), 2.5, rgb(byX(x)));
      const [zx, zy] = f.codes[i];
      dot(code, codePx(zx), codePx(-zy), 2.5, rgb(byX(x)));
    });
    code.strokeStyle = "#8a939c";
    code.strokeRect(codePx(-1), codePx(-1), codePx(1) - codePx(-1), codePx(1) - codePx(-1));  // one unit of code
    const under = this.decodedUnderPointer(f);
    if (under && this.pointer) {
      code.strokeStyle = ctx.strokeStyle = "#1a1a1a";
      code.lineWidth = ctx.lineWidth = 2;
      code.beginPath(); code.arc(codePx(this.pointer[0]), codePx(-this.pointer[1]), 6, 0, 2 * Math.PI); code.stroke();
      ctx.beginPath(); ctx.arc(toPx(under[0]), toPx(-under[1]), 9, 0, 2 * Math.PI); ctx.stroke();
      code.lineWidth = ctx.lineWidth = 1;
      $("code-readout").textContent = `z = (${this.pointer[0].toFixed(2)}, ${this.pointer[1].toFixed(2)}) → ` +
        `x = (${under[0].toFixed(2)}, ${under[1].toFixed(2)})`;
    }
  }

  /** The digits: the decoded grid as a mosaic of images, each shown digit's code written as its class, and the
   * digit decoded under the pointer, large. */
  drawDigits(f: VaeFrame, ctx: CanvasRenderingContext2D, code: CanvasRenderingContext2D): void {
    const side = Math.round(Math.sqrt(f.decoded_grid[0].length));  // 8
    const ink = (pixels: number[], into: ImageData, x0: number, y0: number) => {
      pixels.forEach((v, k) => {
        const at = ((y0 + Math.floor(k / side)) * into.width + x0 + (k % side)) * 4;
        into.data.fill(Math.round(255 * (1 - Math.max(0, Math.min(1, v)))), at, at + 3);  // dark ink on white
        into.data[at + 3] = 255;
      });
    };
    const paint = (image: ImageData, target: CanvasRenderingContext2D, size: number) => {
      const off = document.createElement("canvas");
      off.width = image.width; off.height = image.height;
      off.getContext("2d")!.putImageData(image, 0, 0);
      target.imageSmoothingEnabled = false;
      target.drawImage(off, 0, 0, size, size);
    };
    const stride = side + 1;  // a blank pixel between two digits (the canvas's white shows through)
    const mosaic = new ImageData(CODE_GRID * stride, CODE_GRID * stride);
    f.decoded_grid.forEach((pixels, i) => ink(pixels, mosaic, (i % CODE_GRID) * stride, Math.floor(i / CODE_GRID) * stride));
    paint(mosaic, ctx, SIZE);
    const codePx = (v: number) => ((v / f.window + 1) / 2) * CODE;
    code.font = "12px 'DejaVu Sans', sans-serif";
    code.textAlign = "center"; code.textBaseline = "middle";
    f.codes.forEach(([zx, zy], i) => {
      code.fillStyle = `hsl(${36 * f.labels[i]}, 75%, 38%)`;
      code.fillText(String(f.labels[i]), codePx(zx), codePx(-zy));
    });
    const big = $<HTMLCanvasElement>("digit").getContext("2d")!;
    big.clearRect(0, 0, 96, 96);
    const under = this.decodedUnderPointer(f);
    if (!under || !this.pointer) { $("code-readout").textContent = ""; return; }
    const cell = (v: number) => Math.max(0, Math.min(CODE_GRID - 1, Math.round((v / f.window + 1) / 2 * (CODE_GRID - 1))));
    const px = SIZE / CODE_GRID;
    ctx.strokeStyle = rgb(FAKE); ctx.lineWidth = 3;
    ctx.strokeRect(cell(this.pointer[0]) * px, (CODE_GRID - 1 - cell(this.pointer[1])) * px, px, px);
    ctx.lineWidth = 1;
    code.strokeStyle = "#1a1a1a"; code.lineWidth = 2;
    code.beginPath(); code.arc(codePx(this.pointer[0]), codePx(-this.pointer[1]), 6, 0, 2 * Math.PI); code.stroke();
    code.lineWidth = 1;
    const one = new ImageData(side, side);
    ink(under, one, 0, 0);
    paint(one, big, 96);
    $("code-readout").textContent = `z = (${this.pointer[0].toFixed(2)}, ${this.pointer[1].toFixed(2)}) → the digit below`;
  }

  bindCanvas(): void {
    const canvas = $<HTMLCanvasElement>("plot");
    let down = false;
    const add = (e: PointerEvent) => {
      if ($("draw-tools").hidden) return;
      const r = canvas.getBoundingClientRect();
      const x = ((e.clientX - r.left) / r.width) * 2 - 1, y = 1 - ((e.clientY - r.top) / r.height) * 2;
      const last = this.drawing[this.drawing.length - 1];
      if (last && Math.hypot(last[0] - x, last[1] - y) < 0.03) return;  // a brush, not a pile on one spot
      this.drawing.push([Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000]);
      $("drawn-count").textContent = `${this.drawing.length} points`;
      this.draw();
    };
    canvas.onpointerdown = (e) => { down = true; add(e); };
    canvas.onpointermove = (e) => { if (down) add(e); };
    window.addEventListener("pointerup", () => { down = false; });
  }

  // -- frames ------------------------------------------------------------------------------------------
  onFrame(f: Frame): void {
    this.frames++;
    this.last = f;
    this.history = f.history_from === 0 ? f.history : this.history.concat(f.history);
    if (f.received >= this.sent && !this.slow && f.playing !== this.playing) {  // the server paused (divergence)
      this.playing = f.playing;
      $("play").textContent = f.playing ? "pause" : "play";
    }
    $("iteration").textContent = String(f.iteration);
    $("d-loss").textContent = fmt(f.losses[0]);
    $("g-loss").textContent = fmt(f.losses[1]);
    const [kl, js, mmd] = f.divergences;
    $("kl").textContent = fmt(kl); $("js").textContent = fmt(js); $("mmd").textContent = fmt(mmd);
    const tape = $("tape");
    tape.min = String(f.tape[0]); tape.max = String(f.tape[1]);
    if (!f.viewing) tape.value = String(f.iteration);
    $("viewing").textContent = f.viewing ? `looking at iteration ${f.iteration}; play or “continue from here”` : "";
    for (const [k, v] of Object.entries(f.live)) {
      const input = document.getElementById("set-" + k) as HTMLInputElement | null;
      if (input && document.activeElement !== input) input.value = String(v);
    }
    this.draw();
    this.chart("loss-chart", [[1, "D loss", "#1a1a1a"], [2, "G loss", rgb(FAKE)]]);
    this.chart("divergence-chart", [[3, "KL", "#0072b2"], [4, "JS", "#d55e00"], [5, "MMD²", rgb(REAL)]]);
  }

  draw(): void {
    if (MODE !== "gan") { this.drawVae(); return; }
    const ctx = $<HTMLCanvasElement>("plot").getContext("2d")!;
    ctx.clearRect(0, 0, SIZE, SIZE);
    const f = this.last;
    if (f && $("show-map").checked) this.paintMap(ctx, f);
    if (f && $("show-manifold").checked) {
      ctx.strokeStyle = "rgba(60,60,60,0.45)";
      ctx.lineWidth = 1;
      for (const projection of f.manifold) for (const line of projection) {
        ctx.beginPath();
        line.forEach(([x, y], i) => (i ? ctx.lineTo(toPx(x), toPx(-y)) : ctx.moveTo(toPx(x), toPx(-y))));
        ctx.stroke();
      }
    }
    const dots = (points: XY[], c: number[], r: number) => {
      ctx.fillStyle = rgb(c);
      for (const [x, y] of points) { ctx.beginPath(); ctx.arc(toPx(x), toPx(-y), r, 0, 2 * Math.PI); ctx.fill(); }
    };
    const drawingNow = !$("draw-tools").hidden;
    if (f && $("show-real").checked && !drawingNow) dots(f.real, REAL, 2.5);
    if (f && $("show-fake").checked) dots(f.fake, FAKE, 2.5);
    if (f && $("show-arrows").checked) this.arrows(ctx, f);
    if (drawingNow) dots(this.drawing, REAL, 3.5);
  }

  paintMap(ctx: CanvasRenderingContext2D, f: Frame): void {
    const { grid, values, probability } = f.heatmap;
    // a probability of "real" of 0.5 is white; a score (least squares, WGAN) runs from its lowest (blue) to its
    // highest (orange) over the square: a critic's scores have no fixed zero
    const lo = Math.min(...values), hi = Math.max(...values);
    const span = probability ? 0.5 : Math.max(1e-6, (hi - lo) / 2);
    const mid = probability ? 0.5 : (hi + lo) / 2;
    const cell = SIZE / grid;
    values.forEach((v, i) => {
      const c = colour(Math.max(0, Math.min(255, 127.5 + (127.5 * (v - mid)) / span)));
      ctx.fillStyle = `rgba(${c[0]},${c[1]},${c[2]},0.55)`;
      ctx.fillRect((i % grid) * cell, Math.floor(i / grid) * cell, cell + 0.5, cell + 0.5);
    });
  }

  arrows(ctx: CanvasRenderingContext2D, f: Frame): void {
    const longest = Math.max(1e-9, ...f.gradients.map(([x, y]) => Math.hypot(x, y)));
    ctx.strokeStyle = "rgba(90,30,70,0.8)";
    ctx.lineWidth = 1;
    f.fake.forEach(([x, y], i) => {
      const [gx, gy] = f.gradients[i];
      const s = 28 / longest;  // the longest arrow is 28 px: they show direction and relative size
      const x0 = toPx(x), y0 = toPx(-y), x1 = x0 + gx * s, y1 = y0 - gy * s;
      ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    });
  }

  chart(id: string, series: [number, string, string][]): void {
    const canvas = $<HTMLCanvasElement>(id);
    const ctx = canvas.getContext("2d")!;
    const w = canvas.width, h = canvas.height, left = 34, bottom = 16;
    ctx.clearRect(0, 0, w, h);
    const rows = this.history;
    if (rows.length < 2) return;
    const values = rows.flatMap((r) => series.map(([k]) => r[k])).filter((v): v is number => v !== null);
    const lo = Math.min(0, ...values), hi = Math.max(1e-6, ...values);
    const first = rows[0][0], lastIt = Math.max(first + 1, rows[rows.length - 1][0]);
    const X = (it: number) => left + ((it - first) / (lastIt - first)) * (w - left - 4);
    const Y = (v: number) => h - bottom - ((v - lo) / (hi - lo)) * (h - bottom - 14);
    ctx.font = "11px DejaVu Sans, sans-serif";
    ctx.fillStyle = "#5f6670";
    ctx.fillText(hi.toPrecision(2), 0, 12);
    ctx.fillText(lo.toPrecision(2), 0, h - bottom);
    ctx.fillText(`iteration ${lastIt}`, w - 90, h - 2);
    let labelAt = left + 6;
    series.forEach(([k, label, c]) => {
      ctx.strokeStyle = c; ctx.lineWidth = 1.5; ctx.beginPath();
      let on = false;
      for (const r of rows) {
        const v = r[k];
        if (v === null) continue;  // the divergences are measured every few iterations
        if (on) ctx.lineTo(X(r[0]), Y(v)); else { ctx.moveTo(X(r[0]), Y(v)); on = true; }
      }
      ctx.stroke();
      ctx.fillStyle = c;
      ctx.fillText(label, labelAt, 12);
      labelAt += ctx.measureText(label).width + 14;
    });
  }
}

loadSchema(MODE === "gan" ? "/api/gan/schema" : "/api/vae/schema").then((schema) => {
  (window as unknown as { gan: GanPage }).gan = new GanPage(schema);
}).catch((err) => { $("error").textContent = String(err); });
