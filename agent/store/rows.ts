// Row <-> record mapping shared by the repositories: snake_case columns, 0/1 booleans, JSON columns.

type Row = Record<string, unknown>;

export interface ColumnSpec {
  readonly bool?: readonly string[];
  readonly json?: readonly string[];
}

// Name conversions are cached: the planner reads every code of a lock on each pass (hot path).
const camelCache = new Map<string, string>();
const snakeCache = new Map<string, string>();
const toCamel = (s: string) => camelCache.get(s) ?? (camelCache.set(s, s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())), camelCache.get(s)!);
const toSnake = (s: string) => snakeCache.get(s) ?? (snakeCache.set(s, s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)), snakeCache.get(s)!);

const parseJson = (v: unknown): unknown => (v === null ? null : v === "[]" ? [] : (JSON.parse(String(v)) as unknown));

type Kind = 0 | 1 | 2; // plain, bool, json
const plans = new WeakMap<ColumnSpec, Map<string, readonly [string, Kind]>>();

/** Per spec, each column's record key and kind, computed once (fromRow runs for every row the planner reads). */
function columnPlan(spec: ColumnSpec, col: string): readonly [string, Kind] {
  let plan = plans.get(spec);
  if (!plan) plans.set(spec, (plan = new Map()));
  let entry = plan.get(col);
  if (!entry) {
    entry = [toCamel(col), spec.bool?.includes(col) ? 1 : spec.json?.includes(col) ? 2 : 0];
    plan.set(col, entry);
  }
  return entry;
}

export function fromRow<T>(row: Row, spec: ColumnSpec): T {
  const out: Row = {};
  for (const k in row) {
    const v = row[k];
    const [key, kind] = columnPlan(spec, k);
    out[key] = kind === 0 ? v : kind === 1 ? v === 1 : parseJson(v);
  }
  return out as T;
}

export function toRow(record: object, spec: ColumnSpec): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(record)) {
    const col = toSnake(k);
    if (v === undefined) continue;
    if (spec.bool?.includes(col)) out[col] = v ? 1 : 0;
    else if (spec.json?.includes(col)) out[col] = v === null ? null : JSON.stringify(v);
    else out[col] = v;
  }
  return out;
}

/** "a = @a, b = @b" for an UPDATE of the given columns. */
export const assignments = (cols: readonly string[]) => cols.map((c) => `${c} = @${c}`).join(", ");
