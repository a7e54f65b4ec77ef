// The production serial path: the compiled hub started as `npm run agent` does, configured with
// `zwave.port: "tcp://127.0.0.1:<port>"` and its S2 keys, against zwave-js's MockController served over
// a socket (test/support/zwave-tcp-bridge.ts) hosting an S2 battery lock. Then what installers hit most:
// the controller disappears for 30 s (the socket closes, like a USB stick pulled) and comes back.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubProcess } from "../support/hub-process.js";
import { PinLedger } from "../support/pins.js";
import { sleep, waitFor } from "../support/ports.js";
import { expectSeam } from "../support/seam.js";
import { TEST_SECURITY_KEYS, ZWaveTcpBridge } from "../support/zwave-tcp-bridge.js";
import { simLock } from "../support/zwave-harness.js";

const OUTAGE_MS = 30_000;
const KEYS = TEST_SECURITY_KEYS;
const LOCK_NODE = 2;
const pins = new PinLedger();
let dir: string;
let bridge: ZWaveTcpBridge;
let hub: HubProcess;
let device: string;

type Device = { device_id: string; properties: { online: boolean }; errors: Array<{ error_code: string }> };
const deviceNow = async (): Promise<Device> => (await hub.post("/devices/get", { device_id: device })).body.device as Device;
const codeStatus = async (id: string) => (await hub.http.accessCodes.get({ access_code_id: id })).status;
const held = () => bridge.physicalSlots(LOCK_NODE).flatMap((s) => (s.code === null ? [] : [s.code])).sort();
const logLines = () => hub.logs.split("\n").filter((l) => l.startsWith("{"));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "lockbridge-serial-"));
  bridge = await new ZWaveTcpBridge({
    dataDir: path.join(dir, "stick"),
    securityKeys: KEYS,
    locks: [{ config: simLock({ name: "Front door", slots: 20, checksum: true, code_lengths: [4, 5, 6] }), security: "S2_AccessControl" }],
  }).start();
  hub = new HubProcess({
    locks: [],
    // Nothing may give up during the outage: the codes wait for the lock, as a user would expect.
    timing: { failure_after_ms: 600_000, delay_warning_after_ms: 5_000 },
    extra: { zwave: { port: bridge.url, security_keys: KEYS } },
  });
  await hub.start();
  device = await waitFor(async () => {
    const list = (await hub.post("/devices/list", {})).body.devices as Device[] | undefined;
    return list?.find((d) => d.properties.online)?.device_id;
  }, "the S2 lock, interviewed over the TCP-served controller", 60_000);
}, 90_000);

afterAll(async () => {
  await hub?.cleanup();
  await bridge?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the hub on zwave.port tcp://", () => {
  it("programs an S2 lock through SerialBackend, as production does", async () => {
    const code = await hub.http.accessCodes.create({ device_id: device, name: "Owner", code: pins.use("482913") });
    expectSeam("access_code", code);
    await waitFor(async () => (await codeStatus(code.access_code_id)) === "set", "code set on the lock", 20_000);
    expect(held()).toEqual(["482913"]);
    // The keys the hub was given are the ones zwave-js used: an S2 lock answers nothing else.
    expect(logLines().some((l) => l.includes('"z-wave lock ready"'))).toBe(true);
  }, 40_000);

  it(
    "keeps accepting requests while the controller is gone for 30 s, reopens it with bounded backoff, and converges",
    async () => {
      const before = await hub.http.accessCodes.list({ device_id: device });
      const owner = before.find((c) => c.code === "482913")!;
      const since = new Date().toISOString();
      const logFrom = logLines().length;
      const unpluggedAt = Date.now();
      await bridge.unplug();

      // Offline within seconds, with Seam's device_offline.
      await waitFor(async () => !(await deviceNow()).properties.online, "the lock shows offline", 10_000, 100);
      const offline = await deviceNow();
      expect(offline.errors.map((e) => e.error_code)).toContain("device_offline");
      const offlineMs = Date.now() - unpluggedAt;

      // Requests are accepted and queued: two new codes and a removal.
      const guest = await hub.http.accessCodes.create({ device_id: device, name: "Guest", code: pins.use("70524") });
      const cleaner = await hub.http.accessCodes.create({ device_id: device, name: "Cleaner", code: pins.use("391746") });
      await hub.http.accessCodes.delete({ access_code_id: owner.access_code_id });
      for (const c of [guest, cleaner]) {
        expectSeam("access_code", c);
        expect(["setting", "unset"]).toContain(await codeStatus(c.access_code_id));
      }
      await sleep(OUTAGE_MS - (Date.now() - unpluggedAt));
      // Still queued, nothing lost or given up while the controller was away.
      for (const c of [guest, cleaner]) expect(await codeStatus(c.access_code_id)).toBe("setting");
      expect(held()).toEqual(["482913"]);

      const back = Date.now();
      await bridge.plugIn();
      await waitFor(async () => (await deviceNow()).properties.online, "the lock is back online", 45_000, 200);
      const reconnectMs = Date.now() - back;
      for (const c of [guest, cleaner]) {
        await waitFor(async () => (await codeStatus(c.access_code_id)) === "set", `${c.name} set after the outage`, 30_000);
      }
      await waitFor(async () => (await hub.post("/access_codes/get", { access_code_id: owner.access_code_id })).status === 404, "the removal reached the lock", 30_000);
      expect(held()).toEqual(["391746", "70524"]);

      // A code created after the controller came back is set: no refusal invented from unknown capabilities.
      const late = await hub.http.accessCodes.create({ device_id: device, name: "Late", code: pins.use("615283") });
      await waitFor(async () => (await codeStatus(late.access_code_id)) === "set", "a code created after the outage is set", 20_000);
      expect(held()).toEqual(["391746", "615283", "70524"]);

      const events = (await hub.post("/events/list", { since, limit: 1000 })).body.events as Array<Record<string, any>>;
      for (const e of events) expectSeam("seam_event", e);
      const types = events.map((e) => e.event_type as string);
      expect(types).toContain("device.disconnected");
      expect(types.indexOf("device.connected")).toBeGreaterThan(types.indexOf("device.disconnected"));
      expect(types.filter((t) => t === "access_code.failed_to_set_on_device" || t === "access_code.failed_to_remove_from_device")).toEqual([]);

      // The driver reopened by itself: one line per attempt, growing pauses, no spinning.
      const lines = logLines().slice(logFrom).map((l) => JSON.parse(l) as Record<string, any>);
      const attempts = lines.filter((l) => l.msg === "z-wave controller not reachable; retrying");
      expect(attempts.length).toBeGreaterThanOrEqual(3);
      expect(attempts.length).toBeLessThanOrEqual(8);
      const pauses = attempts.map((l) => l.retryInMs as number);
      expect(pauses).toEqual([...pauses].sort((a, b) => a - b));
      expect(Math.max(...pauses)).toBeLessThanOrEqual(30_000);
      expect(lines.filter((l) => l.msg === "z-wave controller lost; its locks are offline until it is back")).toHaveLength(1);
      expect(lines.filter((l) => l.msg === "z-wave controller is back")).toHaveLength(1);
      expect(hub.logs).not.toMatch(/outside 1\.\.0/);
      console.log(`controller outage ${JSON.stringify({ offline_ms: offlineMs, reconnect_ms: reconnectMs, attempts: attempts.length, pauses })}`);

      expect(pins.leaked(hub.logs)).toEqual([]);
      for (const key of Object.values(KEYS)) expect(hub.logs.toLowerCase()).not.toContain(key);
    },
    OUTAGE_MS + 120_000,
  );
});
