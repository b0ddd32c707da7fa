// Colours shared by the studio's pages: Okabe-Ito, safe for colour-blind readers.
// Two classes (and regression) run blue → white → orange; a third class is bluish green.
export const CLASS_RGB = [[0, 114, 178], [230, 159, 0], [0, 158, 115]];
const MID = [255, 255, 255];

export const rgb = (c: number[]) => `rgb(${c[0]},${c[1]},${c[2]})`;

export function colour(v: number): number[] {
  // v in 0..255 for -1..1: blue through white to orange, as in TensorFlow Playground
  const t = v / 127.5 - 1;
  const end = t < 0 ? CLASS_RGB[0] : CLASS_RGB[1];
  const a = Math.min(1, Math.abs(t));
  return MID.map((m, i) => Math.round(m + (end[i] - m) * a));
}

function decode(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function put(canvas: HTMLCanvasElement, n: number, pixel: (i: number) => number[]): void {
  canvas.width = n; canvas.height = n;
  const ctx = canvas.getContext("2d")!;
  const img = ctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const [r, g, b] = pixel(i);
    img.data[i * 4] = r; img.data[i * 4 + 1] = g; img.data[i * 4 + 2] = b; img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** One signed map (0..255 for -1..1), e.g. a neuron's output over the plane. */
export function paintMap(canvas: HTMLCanvasElement, b64: string, n: number, discrete = false): void {
  const bytes = decode(b64);
  put(canvas, n, (i) => colour(discrete ? (bytes[i] >= 128 ? 255 : 0) : bytes[i]));
}

/** The output: two classes or regression as one signed map; three classes as their probabilities
 * mixed (each class's colour weighted by its probability, paler where the network is unsure). */
export function paintOutput(canvas: HTMLCanvasElement, out: { resolution: number; classes: number; maps: string[] },
                            discrete: boolean): void {
  const n = out.resolution;
  if (out.classes !== 3) { paintMap(canvas, out.maps[0], n, discrete); return; }
  const p = out.maps.map(decode);
  put(canvas, n, (i) => {
    const probs = p.map((m) => m[i] / 255);
    if (discrete) {
      const k = probs.indexOf(Math.max(...probs));
      return CLASS_RGB[k];
    }
    const mix = [0, 1, 2].map((c) => probs.reduce((s, q, k) => s + q * CLASS_RGB[k][c], 0));
    const sure = Math.max(0, (Math.max(...probs) - 1 / 3) * 1.5);
    return MID.map((m, c) => Math.round(m + (mix[c] - m) * sure));
  });
}
