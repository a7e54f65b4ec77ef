import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";

/**
 * Test-environment only: under vitest (NODE_ENV=test) @alcalzone/jsonl-db 4.0.2 locks zwave-js's cache
 * files with stale=100 s (so the lock is refreshed only every 50 s) but its close() asks
 * proper-lockfile.check() with the default stale=10 s: once a driver has run for more than 10 s, close()
 * takes its own lock for stale and leaves `<homeId>*.jsonl.lock` behind, and the next start on the same
 * dir fails with "Failed to lock DB file". With NODE_ENV=production (the hub) the lock is refreshed every
 * 5 s and released. Called only between stop() and start(), when no driver owns the directory.
 */
export function removeLeftoverCacheLocks(dataDir: string): void {
  const cache = path.join(dataDir, "zwave-cache");
  if (!existsSync(cache)) return;
  for (const name of readdirSync(cache)) {
    if (name.endsWith(".jsonl.lock")) rmSync(path.join(cache, name), { recursive: true, force: true });
  }
}

