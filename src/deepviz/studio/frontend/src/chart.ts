// The loss chart: train and test loss against epochs (d3 scales and axes), log or linear, with
// the earlier runs overlaid in grey for comparison and a read-out under the pointer.
import { axisBottom, axisLeft } from "d3-axis";
import { pointer, select } from "d3-selection";
import { scaleLinear, scaleLog } from "d3-scale";
import { line } from "d3-shape";

export type Point = [number, number | null, number | null];  // epoch, train loss, test loss
type Run = { label: string; history: Point[] };

const WIDTH = 300, HEIGHT = 120, LEFT = 40, MAX_RUNS = 4, MAX_POINTS = 20000;
const RUN_COLOURS = ["#8a939c", "#b8a2c8", "#9cc7b6", "#d7b48a"];

export class LossChart {
  private svg;
  private history: Point[] = [];
  private runs: Run[] = [];
  private log = true;

  constructor(private root: HTMLElement, private readout: (text: string) => void) {
    this.svg = select(root).append("svg").attr("width", WIDTH + LEFT + 10).attr("height", HEIGHT + 28);
  }

  /** New loss-history entries from a frame; ``replace`` when the frame carries the whole history. */
  addHistory(h: Point[], replace: boolean): void {
    this.history = replace ? h : this.history.concat(h);
    if (this.history.length > MAX_POINTS) this.history = this.history.slice(-MAX_POINTS);
    this.draw();
  }
  setLog(on: boolean): void { this.log = on; this.draw(); }
  clearRuns(): void { this.runs = []; this.draw(); }

  /** Keep the current run for comparison (called before the network is reset). */
  keepRun(label: string): void {
    if (this.history.length > 1) this.runs = [{ label, history: this.history }, ...this.runs].slice(0, MAX_RUNS);
    this.history = [];
    this.draw();
  }

  private draw(): void {
    const all = [this.history, ...this.runs.map((r) => r.history)];
    const lastEpoch = Math.max(1, ...all.map((h) => (h.length ? h[h.length - 1][0] : 1)));
    const values = all.flat().flatMap(([, a, b]) => [a, b]).filter((v): v is number => v !== null && v > 0);
    const lo = values.length ? Math.min(...values) : 0.01, hi = values.length ? Math.max(...values) : 1;
    const x = scaleLinear().domain([0, lastEpoch]).range([LEFT, WIDTH + LEFT - 4]);
    // the log axis spans at least a decade, so it always has labelled ticks
    const y = (this.log ? scaleLog().domain([Math.min(lo * 0.8, hi / 10), hi * 1.25]) : scaleLinear().domain([0, hi * 1.1]))
      .range([HEIGHT, 6]).clamp(true);
    const svg = this.svg;
    svg.selectAll("*").remove();
    svg.append("g").attr("transform", `translate(0,${HEIGHT})`).call(axisBottom(x).ticks(4));
    svg.append("g").attr("transform", `translate(${LEFT},0)`).call(axisLeft(y).ticks(3, "~g"));
    const thin = (h: Point[]) => {  // at most about 1500 points per line: the chart is 300 px wide
      const step = Math.ceil(h.length / 1500);
      return step <= 1 ? h : h.filter((_, i) => i % step === 0 || i === h.length - 1);
    };
    const path = (h: Point[], k: 1 | 2, colour: string, dash: string, width: number) =>
      svg.append("path").attr("fill", "none").attr("stroke", colour).attr("stroke-width", width)
        .attr("stroke-dasharray", dash)
        .attr("d", line<Point>().defined((d) => d[k] !== null && d[k]! > 0).x((d) => x(d[0])).y((d) => y(d[k]!))(thin(h)) ?? "");
    this.runs.forEach((r, i) => {
      path(r.history, 2, RUN_COLOURS[i], "4 3", 1.2).append("title").text(`earlier run: ${r.label}`);
    });
    path(this.history, 1, "#1a1a1a", "", 1.6);
    path(this.history, 2, "#d55e00", "4 3", 1.6);
    const rule = svg.append("line").attr("y1", 6).attr("y2", HEIGHT).attr("stroke", "#5f6670").attr("visibility", "hidden");
    svg.append("rect").attr("x", LEFT).attr("y", 0).attr("width", WIDTH).attr("height", HEIGHT).attr("fill", "transparent")
      .on("mousemove", (e: MouseEvent) => {
        const [px] = pointer(e);
        const epoch = Math.round(x.invert(px));
        const near = this.history.reduce<Point | null>((best, p) =>
          best === null || Math.abs(p[0] - epoch) < Math.abs(best[0] - epoch) ? p : best, null);
        if (!near) return;
        rule.attr("x1", x(near[0])).attr("x2", x(near[0])).attr("visibility", "visible");
        const f = (v: number | null) => (v === null ? "–" : v.toPrecision(3));
        this.readout(`epoch ${near[0]}: training ${f(near[1])}, test ${f(near[2])}`);
      })
      .on("mouseleave", () => { rule.attr("visibility", "hidden"); this.readout(""); });
    this.legend();
  }

  private legend(): void {
    const items = [["#1a1a1a", "", "training"], ["#d55e00", "4 3", "test"],
      ...this.runs.map((r, i) => [RUN_COLOURS[i], "4 3", r.label])];
    const root = select(this.root).selectAll<HTMLDivElement, unknown>("div.legend").data([0]).join("div").attr("class", "legend");
    root.html(items.map(([c, dash, label]) =>
      `<span><svg width="18" height="8"><line x1="0" y1="4" x2="18" y2="4" stroke="${c}" stroke-width="2" ` +
      `stroke-dasharray="${dash}"/></svg>${label}</span>`).join(""));
  }
}
