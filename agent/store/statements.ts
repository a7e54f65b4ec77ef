// The statement cache every repository of the store shares, and small row helpers.
import type Database from "better-sqlite3";
import type { Db } from "./db.js";

export type Row = Record<string, unknown>;

/** A patch without its undefined keys (toRow skips them, so the caches must too). */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k in patch) if (patch[k] !== undefined) out[k] = patch[k];
  return out;
}

export abstract class Statements {
  private readonly statements = new Map<string, Database.Statement>();
  constructor(readonly db: Db) {}

  /** Prepared statements are cached by SQL text: preparing is the costliest part of a small query. */
  protected stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size > 500) this.statements.clear(); // bounded: a few shapes are dynamic (IN lists)
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}
