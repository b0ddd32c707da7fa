// The playground's settings as the server declares them: JSON Schema made by pydantic from
// studio/protocol.py (GET /api/playground/schema), with the engine's defaults. The URL codec and
// the controls' allowed values come from it, so a setting added on the server needs no change here.

export type Value = number | string | Value[];
export type Values = Record<string, Value>;

export interface Prop {
  type: "number" | "integer" | "string" | "array";
  default: Value;
  title: string;
  description?: string;  // the label of a control made for it
  enum?: Value[];
  minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number;
  maxLength?: number;
  minItems?: number; maxItems?: number;
  items?: Prop;  // a list's entries
  prefixItems?: Prop[];  // a fixed-length row's entries (a drawn point: x1, x2, class)
  "x-live"?: boolean;  // changes during a run without a new network
}

export interface Schema {
  properties: Record<string, Prop>;
}

export async function loadSchema(url = "/api/playground/schema"): Promise<Schema> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`the settings schema: HTTP ${r.status}`);
  return r.json() as Promise<Schema>;
}

export function defaults(schema: Schema): Values {
  return Object.fromEntries(Object.entries(schema.properties).map(([k, p]) => [k, structuredClone(p.default)]));
}

export function valid(p: Prop, v: unknown): v is Value {
  if (p.type === "array") {
    if (!Array.isArray(v) || v.length < (p.minItems ?? 0) || v.length > (p.maxItems ?? Infinity)) return false;
    if (p.prefixItems) return v.length === p.prefixItems.length && v.every((x, i) => valid(p.prefixItems![i], x));
    return v.every((x) => p.items === undefined || valid(p.items, x));
  }
  if (p.enum) return p.enum.includes(v as Value);
  if (p.type === "string") return typeof v === "string" && v.length <= (p.maxLength ?? Infinity);
  if (typeof v !== "number" || !Number.isFinite(v) || (p.type === "integer" && !Number.isInteger(v))) return false;
  return v >= (p.minimum ?? -Infinity) && v <= (p.maximum ?? Infinity)
    && v > (p.exclusiveMinimum ?? -Infinity) && v < (p.exclusiveMaximum ?? Infinity);
}

/** A control's text as the setting's value (a number for numeric settings), or undefined when not allowed. */
export function parseScalar(p: Prop, text: string): Value | undefined {
  const v = p.type === "string" || (p.enum && typeof p.enum[0] === "string") ? text
    : text.trim() === "" ? NaN : Number(text);
  return valid(p, v) ? v : undefined;
}

// -- the URL: key=value for each setting that differs from its default. A list is joined by ",";
// a list of rows (drawn points) by ";" between rows and ":" within one.
const same = (a: Value, b: Value) => JSON.stringify(a) === JSON.stringify(b);

function encodeValue(p: Prop, v: Value): string {
  if (!Array.isArray(v)) return String(v);
  return p.items?.prefixItems ? v.map((row) => (row as Value[]).join(":")).join(";") : v.join(",");
}

function decodeValue(p: Prop, text: string): Value | undefined {
  const entry = (q: Prop | undefined, s: string) => (q?.type === "string" ? s : s.trim() === "" ? NaN : Number(s));
  let v: Value;
  if (p.type !== "array") v = entry(p, text);
  else if (p.items?.prefixItems) {
    const cols = p.items.prefixItems;
    v = text.split(";").filter(Boolean).map((row) => row.split(":").map((s, i) => entry(cols[i], s)));
  } else v = text === "" ? [] : text.split(",").map((s) => entry(p.items, s));
  return valid(p, v) ? v : undefined;
}

/** The settings that differ from their defaults as a URL query (``keep`` can leave a value out). */
export function encode(schema: Schema, values: Values, keep: (key: string, v: Value) => boolean = () => true): string {
  const q = new URLSearchParams();
  for (const [k, p] of Object.entries(schema.properties)) {
    const v = values[k];
    if (v !== undefined && !same(v, p.default) && keep(k, v)) q.set(k, encodeValue(p, v));
  }
  return q.toString();
}

/** The settings a URL query names, over the defaults; a value the schema does not allow is ignored. */
export function decode(schema: Schema, query: string): Values {
  const out = defaults(schema);
  for (const [k, text] of new URLSearchParams(query)) {
    const p = schema.properties[k];
    const v = p && decodeValue(p, text);
    if (p && v !== undefined) out[k] = v;
  }
  return out;
}
