// Row <-> record mapping shared by the repositories: snake_case columns, 0/1 booleans, JSON columns.

type Row = Record<string, unknown>;

export interface ColumnSpec {
  readonly bool?: readonly string[];
  readonly json?: readonly string[];
}

const toCamel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const toSnake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function fromRow<T>(row: Row, spec: ColumnSpec): T {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (spec.bool?.includes(k)) out[toCamel(k)] = v === 1;
    else if (spec.json?.includes(k)) out[toCamel(k)] = v === null ? null : (JSON.parse(String(v)) as unknown);
    else out[toCamel(k)] = v;
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
