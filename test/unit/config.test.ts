import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfigText } from "../../agent/config/load.js";
import { openDatabase } from "../../agent/store/db.js";
import { Store } from "../../agent/store/store.js";

const dir = () => mkdtempSync(path.join(tmpdir(), "lb-config-"));
const write = (d: string, config: unknown) => {
  const file = path.join(d, "config.json");
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
  return file;
};
const problem = (config: unknown, env: NodeJS.ProcessEnv = {}) => {
  try {
    parseConfigText(typeof config === "string" ? config : JSON.stringify(config), "config.json", env);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
};

describe("configuration", () => {
  it.each([
    [{ data_dir: "x", timing: { failure_after_ms: "soon" } }, /timing\.failure_after_ms: .*number/i],
    [{ data_dir: "x", local_api: { listen: "8787" } }, /local_api\.listen: must be "host:port"/],
    [{ data_dir: "x", cloud: { url: "http://cloud" } }, /cloud\.url: must be a ws:\/\/ or wss:\/\/ URL/],
    [{ data_dir: "x", simulation: { locks: [{ protocol: "bluetooth", name: "a", slots: 3 }] } }, /simulation\.locks\.0\.protocol/],
    [{ data_dir: "x", simulation: { locks: [{ protocol: "zwave", name: "a", slots: 0 }] } }, /simulation\.locks\.0\.slots/],
    [{ data_dir: "x", simulation: { locks: [], radio_time: "fast" } }, /simulation\.radio_time: .*'instant' \| 'realistic'/],
    [{ data_dir: "x", zwave: { port: "/dev/ttyACM0", security_keys: { S2_AccessControl: "1234" } } }, /zwave\.security_keys\.S2_AccessControl: must be 32 hex digits/],
    [{ data_dir: "x", zigbee: { port: "/dev/ttyUSB0" } }, /zigbee\.network_key: Required/],
    [{ data_dir: "x", typo_key: 1 }, /unknown key\(s\) "typo_key"/],
    [{}, /data_dir: Required/],
    [{ data_dir: "x", allow_remote_unlock: "no" }, /allow_remote_unlock: Expected boolean, received string/],
    [{ data_dir: "x", timing: { lock_operation_timeout_ms: 50 } }, /timing\.lock_operation_timeout_ms: Number must be greater than or equal to 1000/],
    [{ data_dir: "x", simulation: { locks: [{ protocol: "zwave", name: "a", slots: 3, auto_relock_s: -1 }] } }, /simulation\.locks\.0\.auto_relock_s/],
    [{ data_dir: "x", simulation: { locks: [{ protocol: "zwave", name: "a" }] } }, /simulation\.locks\.0\.slots: Required \(or name a profile\)/],
    [{ data_dir: "x", simulation: { locks: [{ protocol: "zwave", name: "a", profile: "acme_9000" }] } }, /simulation\.locks\.0\.profile: unknown profile "acme_9000"; known zwave profiles: schlage_be469zp, kwikset_910, /],
    [{ data_dir: "x", simulation: { locks: [{ protocol: "zwave", name: "a", profile: "yale_yrd226_zigbee" }] } }, /simulation\.locks\.0\.profile: "yale_yrd226_zigbee" is a zigbee profile; known zwave profiles: /],
    [{ data_dir: "x", simulation: { locks: [{ protocol: "zigbee", name: "a", slots: 3, multi_code: true }] } }, /simulation\.locks\.0\.multi_code: only a Z-Wave lock takes several codes per frame/],
    [{ data_dir: "x", simulation: { locks: [{ protocol: "zwave", name: "a", slots: 3, multi_code: "yes" }] } }, /simulation\.locks\.0\.multi_code: Expected boolean/],
    ["{ not json", /not valid JSON/],
    ["[]", /must be a JSON object/],
  ])("a bad file names the key and the problem: %j", (config, pattern) => {
    expect(problem(config)).toMatch(pattern);
  });

  it("a profile gives a simulated lock its model's defaults; keys given override them; without one the flags default to false", () => {
    const locks = (entries: object[]) => parseConfigText(JSON.stringify({ data_dir: "x", simulation: { locks: entries } }), "c", {}).simulation?.locks ?? [];
    const [schlage, overridden, plain] = locks([
      { protocol: "zwave", name: "Front", profile: "schlage_be469zp" },
      { protocol: "zigbee", name: "Back", profile: "kwikset_910_zigbee", slots: 12, native_scheduling: true },
      { protocol: "zwave", name: "Side", slots: 5 },
    ]);
    expect(schlage).toMatchObject({ profile: "schlage_be469zp", slots: 30, code_lengths: [4, 5, 6, 7, 8], checksum: false, masked_readback: true, battery: true });
    expect(overridden).toMatchObject({ profile: "kwikset_910_zigbee", slots: 12, native_scheduling: true, masked_readback: false });
    expect(plain).toEqual({ protocol: "zwave", name: "Side", slots: 5, code_lengths: [4, 5, 6, 7, 8], checksum: false, native_scheduling: false, masked_readback: false, battery: true, auto_relock_s: 0, multi_code: false });
  });

  it("simulation.locks[].multi_code: off unless asked for, on a Z-Wave lock", () => {
    const locks = [{ protocol: "zwave", name: "a", slots: 3 }, { protocol: "zwave", name: "b", slots: 3, multi_code: true }];
    expect(parseConfigText(JSON.stringify({ data_dir: "x", simulation: { locks } }), "c", {}).simulation?.locks.map((l) => l.multi_code)).toEqual([false, true]);
  });

  it("remote unlock is allowed by default and lock operations time out after 30 s unless configured", () => {
    const c = parseConfigText(JSON.stringify({ data_dir: "x" }), "c", {});
    expect(c.allow_remote_unlock).toBe(true);
    expect(c.timing.lock_operation_timeout_ms).toBe(30_000);
    expect(parseConfigText(JSON.stringify({ data_dir: "x", allow_remote_unlock: false }), "c", {}).allow_remote_unlock).toBe(false);
  });

  it("simulation.radio_time: instant unless asked for; the installer default (config/default.json) is realistic", () => {
    expect(parseConfigText(JSON.stringify({ data_dir: "x", simulation: { locks: [] } }), "c", {}).simulation?.radio_time).toBe("instant");
    const installer = readFileSync(path.join(import.meta.dirname, "..", "..", "config", "default.json"), "utf8");
    expect(parseConfigText(installer, "config/default.json", {}).simulation?.radio_time).toBe("realistic");
  });

  it("secrets come from the environment (which wins) or a credentials file, never switching a radio on", () => {
    const d = dir();
    const creds = path.join(d, "creds");
    writeFileSync(creds, "LOCKBRIDGE_CLOUD_TOKEN=from-file\nLOCKBRIDGE_ZIGBEE_NETWORK_KEY=00112233445566778899aabbccddeeff\n");
    const text = JSON.stringify({ data_dir: d, cloud: { url: "wss://c/hub" }, zigbee: { port: "/dev/ttyUSB0" } });
    const a = parseConfigText(text, "c", { LOCKBRIDGE_CREDENTIALS_FILE: creds });
    expect(a.cloud?.token).toBe("from-file");
    expect(a.zigbee?.network_key).toBe("00112233445566778899aabbccddeeff");
    const b = parseConfigText(text, "c", { LOCKBRIDGE_CREDENTIALS_FILE: creds, LOCKBRIDGE_CLOUD_TOKEN: "from-env" });
    expect(b.cloud?.token).toBe("from-env");
    const c = parseConfigText(JSON.stringify({ data_dir: d }), "c", { LOCKBRIDGE_CLOUD_TOKEN: "x", LOCKBRIDGE_API_KEY: "k".repeat(20) });
    expect(c.cloud).toBeUndefined();
    expect(c.local_api.api_key).toBe("k".repeat(20));
  });

  it("missing ids and the API key are generated once and kept; data dir 0700, identity and database 0600", () => {
    const d = dir();
    const file = write(d, { data_dir: path.join(d, "data") });
    const first = loadConfig(file, {});
    const second = loadConfig(file, {});
    expect(second.hub_id).toBe(first.hub_id);
    expect(second.workspace_id).toBe(first.workspace_id);
    expect(second.local_api.api_key).toBe(first.local_api.api_key);
    expect(first.local_api.api_key.length).toBeGreaterThanOrEqual(32);
    expect(statSync(first.data_dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(first.data_dir, "identity.json")).mode & 0o777).toBe(0o600);
    const db = openDatabase(first.data_dir);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    // NORMAL by default (requests flush the WAL themselves); Store.durable commits FULL and goes back.
    expect(db.pragma("synchronous", { simple: true })).toBe(1);
    const store = new Store(db);
    expect(store.durable(() => db.pragma("synchronous", { simple: true }))).toBe(2);
    expect(() => store.durable(() => { throw new Error("rolled back"); })).toThrow("rolled back");
    expect(db.pragma("synchronous", { simple: true })).toBe(1);
    db.close();
    expect(statSync(path.join(first.data_dir, "lockbridge.db")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path.join(first.data_dir, "identity.json"), "utf8")).hub_id).toBe(first.hub_id);
  });

  it("the hub refuses to start on a bad file with the key in the message, exit code 2", async () => {
    const { spawnSync } = await import("node:child_process");
    const d = dir();
    const file = write(d, { data_dir: path.join(d, "data"), timing: { failure_after_ms: -5 } });
    const r = spawnSync(process.execPath, ["dist/agent/main.js", "--config", file], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/timing\.failure_after_ms/);
  });
});
