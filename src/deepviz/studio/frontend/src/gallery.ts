// The gallery page: every concept's rendered videos, a render form generated from the concept's
// declared parameters, and the render jobs (progress, cancel, the result with its captions).
// It checks no value itself: the server answers 422 naming the field, shown beside that field.

type Param = {
  name: string; type: string; control: "number" | "checkbox" | "select" | "text"; default: string; help: string;
  allowed: string; names_files: boolean; min?: number; max?: number; choices?: string[]; step?: number | "any";
};
type Preset = { name: string; summary: string; values: Record<string, string> };
type Concept = {
  name: string; title: string; summary: string; description: string; default_preset: string;
  next: { name: string; title: string; summary: string } | null;  // the course's next concept
  presets: Preset[]; params: Param[];
};
type Catalog = { concepts: Concept[]; qualities: string[]; themes: string[] };
type Video = {
  concept: string; example: string; summary: string; quality: string; theme: string; captioned: boolean;
  video: string; captions: string | null; poster: string | null; trace: string | null;
};
type Job = {
  id: string; title: string; state: "queued" | "running" | "done" | "failed" | "cancelled"; progress: number;
  text: string; error: string; file: string | null; captions: string | null;
};
type Invalid = { detail: string; field?: string };

const POLL_MS = 400;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {},
                                                   ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json() as Promise<T>;
}

function player(src: string, captions: string | null, poster: string | null, autoplay = false): HTMLVideoElement {
  const v = el("video", { controls: "", preload: "metadata", playsinline: "", src });
  if (poster) v.poster = poster;
  if (autoplay) { v.autoplay = true; v.muted = true; }
  if (captions) v.append(el("track", { kind: "captions", srclang: "en", label: "English", default: "", src: captions }));
  return v;
}

const label = (name: string) => name.replace(/_/g, " ");

// -- a concept: its videos and its form ------------------------------------------------------------
function videoCard(v: Video): HTMLElement {
  const tags = [v.quality, v.theme, ...(v.captioned ? ["captions burned in"] : [])].join(" · ");
  const links = el("p", { class: "links" });
  if (v.trace) links.append(el("a", { href: v.trace }, "trace JSON"));
  if (v.captions) links.append(el("a", { href: v.captions }, "captions"));
  return el("article", { class: "video", "data-example": v.example },
    player(v.video, v.captions, v.poster),
    el("h4", {}, el("code", {}, v.example), el("span", { class: "tags" }, tags)),
    el("p", {}, v.summary), links);
}

class RenderForm {
  readonly form: HTMLFormElement;
  private inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  private errors = new Map<string, HTMLElement>();
  private preset: HTMLSelectElement;
  private presetSummary = el("span", { class: "hint" });

  constructor(private concept: Concept, qualities: string[], themes: string[], private onJob: (job: Job) => void) {
    this.form = el("form", { class: "render", "data-concept": concept.name, novalidate: "" });
    this.preset = this.select("preset", concept.presets.map((p) => p.name), concept.default_preset);
    this.preset.addEventListener("change", () => this.fill());
    const fields = el("div", { class: "fields" }, ...concept.params.map((p) => this.field(p)));
    const output = el("div", { class: "output" },
      this.labelled("quality", this.select("quality", qualities, qualities[0])),
      this.labelled("theme", this.select("theme", themes, themes[0])),
      el("button", { type: "submit", class: "primary" }, "render"));
    const general = el("p", { class: "error", role: "alert" });
    this.errors.set("", general);
    this.form.append(el("h3", {}, "Render your own"),
      el("label", { class: "field wide" }, el("span", { class: "name" }, "preset"), this.preset, this.presetSummary,
         this.errorSpan("preset")),
      fields, output, general);
    this.form.addEventListener("submit", (e) => { e.preventDefault(); void this.submit(); });
    this.fill();
  }

  private select(name: string, options: string[], selected: string): HTMLSelectElement {
    const s = el("select", { name }, ...options.map((o) => el("option", { value: o }, o)));
    s.value = selected;
    this.inputs.set(name, s);
    return s;
  }

  private errorSpan(name: string): HTMLElement {
    const span = el("span", { class: "error", role: "alert" });
    this.errors.set(name, span);
    return span;
  }

  private labelled(name: string, control: HTMLElement): HTMLElement {
    return el("label", { class: "field" }, el("span", { class: "name" }, name), control, this.errorSpan(name));
  }

  private field(p: Param): HTMLElement {
    let control: HTMLInputElement | HTMLSelectElement;
    if (p.control === "select") {
      control = el("select", { name: p.name }, ...(p.choices ?? []).map((c) => el("option", { value: c }, c)));
    } else if (p.control === "checkbox") {
      control = el("input", { name: p.name, type: "checkbox" });
    } else if (p.control === "number") {
      control = el("input", { name: p.name, type: "number", step: String(p.step ?? "any") });
      if (p.min !== undefined) control.setAttribute("min", String(p.min));
      if (p.max !== undefined) control.setAttribute("max", String(p.max));
    } else {
      control = el("input", { name: p.name, type: "text", spellcheck: "false", placeholder: p.default || "auto" });
    }
    this.inputs.set(p.name, control);
    const allowed = p.allowed || p.help;
    const hint = p.names_files ? `${allowed} (the studio opens no file or module)` : allowed;
    const tip = [p.help, p.allowed, p.default ? `default ${p.default}` : "default auto"].filter(Boolean).join("; ");
    const wide = p.control === "text" && (p.type === "text" || p.type === "numbers") ? " wide" : "";
    if (p.control === "checkbox") {
      return el("label", { class: "field check" + wide, title: tip, "data-param": p.name },
        el("span", { class: "name" }, control, " " + label(p.name)), this.errorSpan(p.name));
    }
    return el("label", { class: "field" + wide, title: tip, "data-param": p.name },
      el("span", { class: "name" }, label(p.name)), control, el("span", { class: "hint" }, hint),
      this.errorSpan(p.name));
  }

  private get chosen(): Preset {
    return this.concept.presets.find((p) => p.name === this.preset.value) ?? this.concept.presets[0];
  }

  /** The preset's values into the inputs. */
  fill(): void {
    const preset = this.chosen;
    this.presetSummary.textContent = preset.summary;
    for (const p of this.concept.params) {
      const input = this.inputs.get(p.name)!;
      const value = preset.values[p.name] ?? "";
      if (input instanceof HTMLInputElement && input.type === "checkbox") input.checked = value === "true";
      else input.value = value;
    }
    this.clearErrors();
  }

  private value(name: string): string {
    const input = this.inputs.get(name)!;
    return input instanceof HTMLInputElement && input.type === "checkbox" ? String(input.checked) : input.value.trim();
  }

  /** Only what differs from the preset (an empty box keeps the preset's value). */
  private changed(): Record<string, string> {
    const out: Record<string, string> = {};
    const preset = this.chosen.values;
    for (const p of this.concept.params) {
      const v = this.value(p.name);
      if (v !== "" && v !== (preset[p.name] ?? "")) out[p.name] = v;
    }
    return out;
  }

  private clearErrors(): void {
    for (const span of this.errors.values()) span.textContent = "";
    for (const input of this.inputs.values()) input.removeAttribute("aria-invalid");
  }

  private showError(err: Invalid): void {
    const field = err.field ?? "";
    const span = this.errors.get(field) ?? this.errors.get("")!;
    span.textContent = err.detail;
    const input = this.inputs.get(field);
    if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
  }

  async submit(): Promise<void> {
    this.clearErrors();
    const body = { concept: this.concept.name, preset: this.preset.value, values: this.changed(),
                   quality: this.value("quality"), theme: this.value("theme") };
    const button = this.form.querySelector("button")!;
    button.disabled = true;
    try {
      const r = await fetch("/api/render", { method: "POST", headers: { "content-type": "application/json" },
                                             body: JSON.stringify(body) });
      const data = await r.json();
      if (r.ok) this.onJob(data as Job);
      else this.showError(data as Invalid);
    } catch (e) {
      this.showError({ detail: `the studio did not answer (${e})` });
    } finally {
      button.disabled = false;
    }
  }
}

function conceptSection(c: Concept, videos: Video[], catalog: Catalog, onJob: (job: Job) => void): HTMLElement {
  const shelf = videos.length
    ? el("div", { class: "shelf" }, ...videos.map(videoCard))
    : el("div", { class: "shelf empty" }, el("p", {}, "No rendered videos yet: ",
        el("code", {}, "make demo"), " renders every preset into media/gallery. Or render one with the form."));
  const form = new RenderForm(c, catalog.qualities, catalog.themes, onJob);
  const watchNext = c.next
    ? [el("p", { class: "about next" }, "What to watch next: ", el("a", { href: `#${c.next.name}` }, c.next.title),
          ` — ${c.next.summary}`)]
    : [];
  return el("section", { class: "concept", id: c.name },
    el("h2", {}, c.title, " ", el("code", {}, c.name)),
    el("p", { class: "about" }, c.description),
    el("div", { class: "row" }, shelf, form.form), ...watchNext);
}

// -- the jobs ---------------------------------------------------------------------------------------
class JobList {
  private items = new Map<string, { root: HTMLElement; bar: HTMLElement; status: HTMLElement; shown: string }>();
  private timer: number | undefined;

  constructor(private root: HTMLElement) {}

  add(job: Job): void {
    this.show(job);
    this.poll();
  }

  async refresh(): Promise<Job[]> {
    const { jobs } = await getJson<{ jobs: Job[] }>("/api/jobs");
    for (const job of jobs) this.show(job);
    this.root.querySelector(".none")?.toggleAttribute("hidden", jobs.length > 0);
    return jobs;
  }

  poll(): void {
    if (this.timer !== undefined) return;
    this.timer = window.setTimeout(async () => {
      this.timer = undefined;
      try {
        const jobs = await this.refresh();
        if (jobs.some((j) => j.state === "queued" || j.state === "running")) this.poll();
      } catch {
        this.poll();  // the studio restarting: try again
      }
    }, POLL_MS);
  }

  private show(job: Job): void {
    let item = this.items.get(job.id);
    if (!item) {
      const bar = el("div", { class: "fill" });
      const status = el("p", { class: "status" });
      const cancel = el("button", { type: "button", class: "cancel", title: "cancel this job" }, "cancel");
      cancel.addEventListener("click", async () => {
        cancel.disabled = true;
        const r = await fetch(`/api/jobs/${job.id}`, { method: "DELETE" });
        if (r.ok) this.show(await r.json());
      });
      const root = el("article", { class: "job", "data-job": job.id },
        el("div", { class: "head" }, el("h4", {}, job.title), cancel),
        el("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100" }, bar), status);
      item = { root, bar, status, shown: "" };
      this.items.set(job.id, item);
      this.root.querySelector(".list")!.prepend(root);
    }
    item.root.dataset.state = job.state;
    const percent = Math.round(job.progress * 100);
    item.bar.style.width = `${percent}%`;
    item.bar.parentElement!.setAttribute("aria-valuenow", String(percent));
    item.status.textContent = job.state === "failed" ? `failed: ${job.error}`
      : job.state === "running" ? `${percent}% · ${job.text}` : job.state === "done" ? "done" : job.text;
    if (job.state === "done" && job.file && item.shown !== job.file) {
      item.shown = job.file;
      item.root.append(player(job.file, job.captions, null, true),
        el("p", { class: "links" }, el("a", { href: job.file, download: "" }, "download the video"),
           ...(job.captions ? [el("a", { href: job.captions, download: "" }, "captions")] : [])));
    }
  }
}

// -- the page ---------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const [catalog, gallery] = await Promise.all([getJson<Catalog>("/api/concepts"),
                                                getJson<{ videos: Video[] }>("/api/gallery")]);
  const jobs = new JobList(document.getElementById("jobs")!);
  const onJob = (job: Job) => jobs.add(job);
  document.getElementById("toc")!.append(...catalog.concepts.map((c) => el("a", { href: `#${c.name}` }, c.title)));
  document.getElementById("concepts")!.append(...catalog.concepts.map((c) =>
    conceptSection(c, gallery.videos.filter((v) => v.concept === c.name), catalog, onJob)));
  const existing = await jobs.refresh();
  if (existing.some((j) => j.state === "queued" || j.state === "running")) jobs.poll();
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  document.getElementById("concepts")!.append(el("p", { class: "error" }, `The gallery did not load: ${e}`));
});
