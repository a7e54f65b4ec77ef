import Database from "better-sqlite3";
import { chmodSync, existsSync } from "node:fs";
import path from "node:path";
import { MIGRATIONS } from "./migrations.js";

export type Db = Database.Database;

/**
 * Open (or create) the hub database. WAL with synchronous=NORMAL: a commit survives a crash of the
 * process at once, and a power cut once the WAL is flushed. Requests are answered only after an off-loop
 * WAL flush (Journal.runDurable); the few other transactions that must survive a power cut commit
 * FULL (Store.durable); observations of locks are re-derived from the locks (docs/durability.md).
 */
export function openDatabase(dataDir: string, fileName = "lockbridge.db"): Db {
  const file = path.join(dataDir, fileName);
  const fresh = !existsSync(file);
  const db = new Database(file);
  if (fresh) chmodSync(file, 0o600);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = Number(db.pragma("user_version", { simple: true }));
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this lockbridge (${MIGRATIONS.length}); refusing to downgrade`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
