// Cloud outage: the test cloud goes away for a window in which a time-bound code starts and expires.
// The local API keeps serving, the hub's own clock enforces the schedule on the lock, and when the
// cloud is back the events of the outage arrive in order, each delivered once more only until acked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubProcess } from "../support/hub-process.js";
import { PinLedger } from "../support/pins.js";
import { sleep, waitFor } from "../support/ports.js";
import { expectSeam } from "../support/seam.js";
import { TestCloud, type Frame } from "../support/test-cloud.js";

const PROGRAM_AHEAD_MS = 1000;
const pins = new PinLedger();
let cloud: TestCloud;
let hub: HubProcess;
let lock: string;

const status = async () => (await hub.post("/hub/status", {})).body.hub as Record<string, any>;

beforeAll(async () => {
  cloud = await new TestCloud().listen();
  hub = new HubProcess({
    cloud: { url: cloud.url, token: cloud.token },
    // No native scheduling: the hub itself programs the code program_ahead_ms before starts_at and clears it at ends_at.
    locks: [{ protocol: "zwave", name: "Outage door", slots: 10, code_lengths: [4, 5, 6], checksum: true, native_scheduling: false }],
    timing: { program_ahead_ms: PROGRAM_AHEAD_MS },
  });
  await hub.start();
  lock = (await hub.devices()).get("Outage door")!.device_id as string;
  await waitFor(() => cloud.connected, "cloud link");
  await waitFor(async () => (await status()).pending_events === 0, "outbox drained before the outage");
});

afterAll(async () => {
  await hub?.cleanup();
  await cloud?.close();
});

/** Waits for the hub to dial the cloud again after it came back (backoff up to 30 s with jitter). */
async function reconnect(): Promise<Frame> {
  const conns = cloud.connections;
  const from = cloud.frames.length;
  await cloud.listen(cloud.port);
  await waitFor(() => cloud.connections > conns, "the hub reconnects", 45_000, 50);
  return cloud.waitFrame((f) => f.type === "hello", "hello after reconnect", 10_000, from);
}

describe("cloud outage", () => {
  it(
    "serves the local API and enforces a time-bound code on the lock while the cloud is down; replays its events in order, once",
    async () => {
      await cloud.close();
      await waitFor(async () => (await status()).cloud.state !== "connected", "hub sees the link down");
      const outageStart = new Date().toISOString();

      // The local API keeps serving: reads and writes through the official SDK.
      expect((await hub.http.devices.list()).map((d) => d.device_id)).toContain(lock);
      const startsAt = Date.now() + 3000;
      const endsAt = startsAt + 5000;
      const windowed = await hub.http.accessCodes.create({
        device_id: lock,
        name: "Window",
        code: pins.use("493817"),
        starts_at: new Date(startsAt).toISOString(),
        ends_at: new Date(endsAt).toISOString(),
      });
      expectSeam("access_code", windowed);
      expect(windowed.status).toBe("unset");
      const ongoing = await hub.http.accessCodes.create({ device_id: lock, name: "Cleaner", code: pins.use("70524") });
      expect((await hub.http.accessCodes.list({ device_id: lock })).map((c) => c.access_code_id).sort()).toEqual([windowed.access_code_id, ongoing.access_code_id].sort());

      // The hub's own clock enforces the window on the lock, with no cloud.
      let appearedAt: number | null = null;
      let goneAt: number | null = null;
      let statusInWindow: string | null = null;
      while (Date.now() < endsAt + 5000 && goneAt === null) {
        const held = (await hub.slots(lock)).some((s) => s.code === "493817");
        const now = Date.now();
        if (held && appearedAt === null) appearedAt = now;
        if (!held && appearedAt !== null) goneAt = now;
        if (statusInWindow === null && now > startsAt + 500 && now < endsAt - 500) statusInWindow = (await hub.http.accessCodes.get({ access_code_id: windowed.access_code_id })).status;
        await sleep(50);
      }
      expect(appearedAt, "the code reached the lock").not.toBeNull();
      expect(appearedAt!).toBeGreaterThanOrEqual(startsAt - PROGRAM_AHEAD_MS);
      expect(appearedAt!).toBeLessThanOrEqual(startsAt + 2500);
      expect(statusInWindow).toBe("set");
      expect(goneAt, "the code left the lock").not.toBeNull();
      expect(goneAt!).toBeGreaterThanOrEqual(endsAt);
      expect(goneAt!).toBeLessThanOrEqual(endsAt + 4000);
      await waitFor(async () => (await hub.post("/access_codes/get", { access_code_id: windowed.access_code_id })).status === 404, "expired code deleted");
      await waitFor(async () => (await hub.http.accessCodes.get({ access_code_id: ongoing.access_code_id })).status === "set", "ongoing code set");

      // Everything that happened is waiting in the outbox.
      const outage = (await hub.post("/events/list", { since: outageStart, limit: 1000 })).body.events as Array<Record<string, any>>;
      const windowTypes = outage.filter((e) => e.access_code_id === windowed.access_code_id).map((e) => e.event_type);
      expect(windowTypes).toEqual(["access_code.created", "access_code.set_on_device", "access_code.removed_from_device", "access_code.deleted"]);
      const st = await status();
      expect(st.cloud.state).not.toBe("connected");
      expect(st.pending_events).toBe(outage.length);

      // The cloud comes back: the outage's events arrive in the order they occurred, then are acked.
      const deliveredBefore = cloud.events.length;
      const back = Date.now();
      const hello = await reconnect();
      console.log(`outage timings ${JSON.stringify({ on_lock_ms_before_starts_at: startsAt - appearedAt!, off_lock_ms_after_ends_at: goneAt! - endsAt, reconnect_ms: Date.now() - back, outage_events: outage.length })}`);
      expect(hello.unacked_events).toBe(outage.length);
      const ids = outage.map((e) => e.event_id as string);
      await waitFor(() => ids.every((id) => cloud.deliveries.has(id)), "outage events delivered", 15_000);
      const replay = cloud.events.slice(deliveredBefore).map((e) => e.event_id);
      expect(replay.slice(0, ids.length)).toEqual(ids);
      expect(cloud.events.filter((e) => e.access_code_id === windowed.access_code_id).map((e) => e.event_type)).toEqual(windowTypes);
      for (const e of cloud.events.slice(deliveredBefore)) expectSeam("seam_event", e);
      await waitFor(async () => (await status()).pending_events === 0, "acks recorded");

      // Another reconnect: nothing acked comes again.
      await cloud.close();
      await waitFor(async () => (await status()).cloud.state !== "connected", "link down again");
      const again = await reconnect();
      expect(again.unacked_events).toBe(0);
      await cloud.waitFrame((f) => f.type === "state", "state after the second reconnect", 10_000, cloud.frames.indexOf(again));
      await sleep(1000);
      const repeated = [...cloud.deliveries].filter(([, n]) => n !== 1);
      expect(repeated).toEqual([]);
      expect(pins.leaked(hub.logs)).toEqual([]);
    },
    120_000,
  );
});
