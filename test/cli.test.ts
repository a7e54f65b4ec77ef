// The installer CLI (agent/cli/), run compiled with plain node as an installer would.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../agent/config/load.js";
import { HubProcess } from "./support/hub-process.js";
import { freePort, waitFor } from "./support/ports.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const CLI = path.join(ROOT, "dist/agent/cli/index.js");
const tmp = mkdtempSync(path.join(tmpdir(), "lockbridge-cli-"));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, LOCKBRIDGE_SERIAL_BY_ID_DIR: path.join(tmp, "no-such-dir"), ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

type Written = { hub_id: string; workspace_id: string; connected_account_id: string; data_dir: string; local_api: { api_key: string }; zwave: { port: string; security_keys: Record<string, string> }; zigbee: { port: string; adapter: string; network_key: string; pan_id: number } };
const read = (p: string) => JSON.parse(readFileSync(p, "utf8")) as Written;
const secretsOf = (c: Written) => [c.local_api.api_key, ...Object.values(c.zwave.security_keys), c.zigbee.network_key];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("lockbridge init", () => {
  it("writes a valid config (mode 0600) with generated ids and keys, lists no adapters, prints no secret", async () => {
    const dir = path.join(tmp, "a");
    const configPath = path.join(dir, "config.json");
    const r = await cli(["init", "--config", configPath, "--data-dir", path.join(dir, "data")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/serial adapters in \/dev\/serial\/by-id:\n\s+none found/);
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, "credentials")).mode & 0o777).toBe(0o600);

    const c = read(configPath);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const id of [c.hub_id, c.workspace_id, c.connected_account_id]) expect(id).toMatch(uuid);
    expect(Object.keys(c.zwave.security_keys).sort()).toEqual(["S0_Legacy", "S2_AccessControl", "S2_Authenticated", "S2_Unauthenticated"]);
    for (const k of [...Object.values(c.zwave.security_keys), c.zigbee.network_key]) expect(k).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(secretsOf(c)).size).toBe(6);
    expect(c.local_api.api_key.length).toBeGreaterThanOrEqual(32);
    for (const s of secretsOf(c)) expect(r.stdout + r.stderr).not.toContain(s);

    // The hub's own loader accepts it, with the ids and key from the file.
    const loaded = loadConfig(configPath, {});
    expect(loaded.hub_id).toBe(c.hub_id);
    expect(loaded.local_api.api_key).toBe(c.local_api.api_key);
    expect(loaded.zwave?.security_keys.S2_AccessControl).toBe(c.zwave.security_keys.S2_AccessControl);
    expect(loaded.zigbee?.network_key).toBe(c.zigbee.network_key);
  });

  it("generates different ids and keys on every init", async () => {
    const [p1, p2] = [path.join(tmp, "b1", "config.json"), path.join(tmp, "b2", "config.json")];
    for (const p of [p1, p2]) expect((await cli(["init", "--config", p, "--data-dir", path.join(path.dirname(p), "data")])).code).toBe(0);
    const [c1, c2] = [read(p1), read(p2)];
    expect(c1.hub_id).not.toBe(c2.hub_id);
    const s1 = secretsOf(c1);
    for (const s of secretsOf(c2)) expect(s1).not.toContain(s);
  });

  it("refuses to overwrite an existing config without --force", async () => {
    const p = path.join(tmp, "c", "config.json");
    expect((await cli(["init", "--config", p, "--data-dir", path.join(tmp, "c", "data")])).code).toBe(0);
    const before = readFileSync(p, "utf8");
    const again = await cli(["init", "--config", p, "--data-dir", path.join(tmp, "c", "data")]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/refusing to overwrite/);
    expect(readFileSync(p, "utf8")).toBe(before);
    const forced = await cli(["init", "--config", p, "--data-dir", path.join(tmp, "c", "data"), "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(read(p).zwave.security_keys.S2_AccessControl).not.toBe((JSON.parse(before) as Written).zwave.security_keys.S2_AccessControl);
    expect(statSync(p).mode & 0o777).toBe(0o600);
  });

  it("lists adapters under /dev/serial/by-id and picks the ones it recognises", async () => {
    const byId = path.join(tmp, "by-id");
    mkdirSync(byId);
    const zw = path.join(byId, "usb-Zooz_800_Z-Wave_Stick_533D004242-if00");
    const zb = path.join(byId, "usb-ITead_Sonoff_Zigbee_3.0_USB_Dongle_Plus_V2_20220812-if00-port0");
    symlinkSync("/dev/null", zw);
    symlinkSync("/dev/null", zb);
    const p = path.join(tmp, "d", "config.json");
    const r = await cli(["init", "--config", p, "--data-dir", path.join(tmp, "d", "data")], { LOCKBRIDGE_SERIAL_BY_ID_DIR: byId });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${zw} -> /dev/null (looks like zwave)`);
    expect(r.stdout).toContain(`${zb} -> /dev/null (looks like zigbee)`);
    const c = read(p);
    expect(c.zwave.port).toBe(zw);
    expect(c.zigbee.port).toBe(zb);
    expect(c.zigbee.adapter).toBe("ember");
  });
});

describe("lockbridge doctor on a stopped hub's database", () => {
  it.runIf(process.getuid?.() === 0)("run as root, leaves the -wal/-shm files it caused to the database's owner", async () => {
    const dir = path.join(tmp, "stopped");
    const dataDir = path.join(dir, "data");
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, "lockbridge.db");
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE t (a)");
    db.close(); // a clean close removes -wal and -shm
    const { chmodSync, chownSync, writeFileSync } = await import("node:fs");
    chmodSync(file, 0o600);
    chownSync(file, 54321, 54321); // the service user's database
    const configPath = path.join(dir, "config.json");
    writeFileSync(configPath, JSON.stringify({ data_dir: dataDir, local_api: { listen: `127.0.0.1:${await freePort()}`, api_key: "seam_test_0123456789abcdef" } }), { mode: 0o600 });
    expect(existsSync(`${file}-wal`)).toBe(false);
    const r = await cli(["doctor", "--config", configPath]);
    expect(r.stdout).toMatch(/^OK\s+database\s+.*integrity_check ok/m);
    // SQLite's read-only connection did create them (else this test would prove nothing).
    expect(existsSync(`${file}-shm`)).toBe(true);
    for (const f of [`${file}-wal`, `${file}-shm`].filter(existsSync)) {
      expect(statSync(f).uid, f).toBe(54321);
      expect(statSync(f).mode & 0o777, f).toBe(0o600);
    }
  });
});

describe("lockbridge doctor and status against a running hub", () => {
  let hub: HubProcess;
  let metricsHub: HubProcess;
  let cloudPort: number;
  const token = `tok_${randomUUID()}`;

  beforeAll(async () => {
    cloudPort = await freePort(); // nothing listens there: the cloud is unreachable
    hub = new HubProcess({ direct: true, locks: [{ protocol: "zwave", name: "Front door", slots: 10 }], cloud: { url: `ws://127.0.0.1:${cloudPort}/hub`, token } });
    metricsHub = new HubProcess({ direct: true, locks: [{ protocol: "zwave", name: "Side door", slots: 10 }], extra: { metrics: { enabled: true } } });
    await Promise.all([hub.start(), metricsHub.start()]);
    await Promise.all([hub.devices(), metricsHub.devices()]);
  });
  afterAll(async () => {
    await Promise.all([hub?.cleanup(), metricsHub?.cleanup()]);
  });

  it("doctor: OK for config, database, local API and the lock; FAIL for an unreachable cloud; exit 1", async () => {
    const r = await cli(["doctor", "--config", hub.configPath]);
    const out = r.stdout;
    expect(out).toMatch(/^OK\s+config\s+\S+ is valid/m);
    expect(out).toMatch(/^OK\s+database\s+.*integrity_check ok/m);
    expect(out).toMatch(/^OK\s+data dir\s+.*mode 0700/m);
    expect(out).toMatch(/^OK\s+database perms\s+.*mode 0600/m);
    expect(out).toMatch(/^OK\s+local API\s+http:\/\/127\.0\.0\.1:\d+ answers/m);
    expect(out).toMatch(/^OK\s+radio zwave\s+1 lock \(simulated\)/m);
    expect(out).toMatch(/^OK\s+lock\s+Front door \(zwave, [0-9a-f-]{36}\) online/m);
    expect(out).toMatch(new RegExp(`^FAIL\\s+cloud\\s+127\\.0\\.0\\.1:${cloudPort} unreachable \\(ECONNREFUSED\\)`, "m"));
    expect(out).toMatch(/^WARN\s+credentials\s+.*does not exist/m);
    expect(out).toMatch(/^(OK|WARN)\s+clock\s/m);
    expect(out).toMatch(/^(OK|WARN)\s+disk\s+\d+ MB free/m);
    // one line per check, each starting with its level
    for (const line of out.split("\n").filter((l) => l && !/^\d+ checks? failed|^no failures/.test(l))) expect(line).toMatch(/^(OK|WARN|FAIL)\s/);
    expect(r.code).toBe(1);
    expect(out + r.stderr).not.toContain(hub.apiKey);
    expect(out + r.stderr).not.toContain(token);
  });

  it("doctor: FAIL when the hub is not running or refuses the key", async () => {
    const cfg = JSON.parse(readFileSync(hub.configPath, "utf8")) as Record<string, any>;
    const wrongKey = path.join(tmp, "wrong-key.json");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(wrongKey, JSON.stringify({ ...cfg, local_api: { ...cfg.local_api, api_key: `seam_wrong_${randomUUID()}` } }), { mode: 0o600 });
    const r1 = await cli(["doctor", "--config", wrongKey]);
    expect(r1.stdout).toMatch(/^FAIL\s+local API\s+.*refused the API key \(401\)/m);
    const closed = path.join(tmp, "closed.json");
    writeFileSync(closed, JSON.stringify({ ...cfg, local_api: { ...cfg.local_api, listen: `127.0.0.1:${await freePort()}` } }), { mode: 0o600 });
    const r2 = await cli(["doctor", "--config", closed]);
    expect(r2.stdout).toMatch(/^FAIL\s+local API\s+nothing listens on/m);
    expect(r2.code).toBe(1);
  });

  it("doctor: probes the cloud with the token: accepted, refused (401)", async () => {
    const { TestCloud } = await import("./support/test-cloud.js");
    const cloud = await new TestCloud().listen();
    try {
      const { writeFileSync } = await import("node:fs");
      const cfg = JSON.parse(readFileSync(hub.configPath, "utf8")) as Record<string, any>;
      const write = (name: string, tok: string) => {
        const p = path.join(tmp, name);
        // no hub listens on this port: doctor has only its own probe to go by
        writeFileSync(p, JSON.stringify({ ...cfg, local_api: { ...cfg.local_api, listen: "127.0.0.1:1" }, cloud: { url: cloud.url, token: tok } }), { mode: 0o600 });
        return p;
      };
      const ok = await cli(["doctor", "--config", write("cloud-ok.json", cloud.token)]);
      expect(ok.stdout).toMatch(new RegExp(`^OK\\s+cloud\\s+127\\.0\\.0\\.1:${cloud.port} reachable, token accepted`, "m"));
      const bad = await cli(["doctor", "--config", write("cloud-bad.json", "tok_wrong")]);
      expect(bad.stdout).toMatch(/^FAIL\s+cloud\s+.*refused the token \(HTTP 401\)/m);
      expect(bad.code).toBe(1);
      expect(ok.stdout + bad.stdout).not.toContain(cloud.token);
      expect(cloud.rejected).toBe(1);
    } finally {
      await cloud.close();
    }
  });

  it("status: prints the lock, codes by status, link state and pending events", async () => {
    const [lock] = await hub.http.devices.list();
    await hub.http.accessCodes.create({ device_id: lock!.device_id, name: "Guest", code: "482913" });
    const r = await cli(["status", "--config", hub.configPath]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^locks\s+1$/m);
    expect(r.stdout).toMatch(new RegExp(`^\\s+Front door\\s+zwave\\s+online\\s+queue \\d+\\s+${lock!.device_id}$`, "m"));
    expect(r.stdout).toMatch(/^codes\s+.*(setting|set) 1/m);
    expect(r.stdout).toMatch(/^cloud\s+(connecting|disconnected)/m);
    expect(r.stdout).toMatch(/^events\s+\d+ pending/m);
    expect(r.stdout).not.toContain(hub.apiKey);
    expect(r.stdout).not.toContain(token);
    const json = await cli(["status", "--config", hub.configPath, "--json"]);
    const s = JSON.parse(json.stdout) as { locks: unknown[]; counters: Record<string, any> };
    expect(s.locks).toHaveLength(1);
    expect(s.counters.requests_by_door.http).toBeGreaterThan(0);
    expect(s.counters).toHaveProperty("radio_commands_by_kind");
    expect(s.counters).toHaveProperty("outbox_depth");
  });

  it("/metrics: 404 when disabled; 401 without the key and 200 with it when enabled", async () => {
    const get = (h: HubProcess, key: string | null) => fetch(`http://127.0.0.1:${h.port}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    const disabled = await get(hub, hub.apiKey);
    expect(disabled.status).toBe(404);
    expect(((await disabled.json()) as { error: { type: string } }).error.type).toBe("not_found");
    expect((await get(metricsHub, null)).status).toBe(401);
    expect((await get(metricsHub, "seam_not_the_key_0000")).status).toBe(401);
    const lines = await waitFor(async () => {
      const r = await get(metricsHub, metricsHub.apiKey);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await r.text();
      return /^lockbridge_reconcile_round_trips\{/m.test(text) ? text : null;
    }, "the lock's start-up check in /metrics");
    expect(lines).toMatch(/^lockbridge_lock_queue_depth\{device_id="[0-9a-f-]{36}",name="Side door",protocol="zwave"\} \d+$/m);
    expect(lines).toMatch(/^lockbridge_lock_radio_commands_total\{.*name="Side door".*\} [1-9]\d*$/m);
    expect(lines).toMatch(/^lockbridge_requests_total\{door="http",status="200"\} [1-9]\d*$/m);
    expect(lines).toMatch(/^lockbridge_outbox_depth \d+$/m);
    expect(lines).not.toContain(metricsHub.apiKey);
  });
});
