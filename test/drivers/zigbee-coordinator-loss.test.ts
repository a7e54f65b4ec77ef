// The Zigbee coordinator disappears (its stick pulled: herdsman's adapterDisconnected) and comes back:
// the real herdsman Controller on the simulated coordinator. Locks go offline, calls fail fast as
// "offline", the driver restarts the Controller with bounded backoff, and the locks come back with
// their memory intact, without a hub restart.
import { afterEach, expect, test } from "vitest";
import { ZigbeeHarness, zigbeeLock } from "../support/zigbee-harness.js";

let h: ZigbeeHarness | null = null;

afterEach(async () => {
  await h?.dispose();
  h = null;
});

test("adapterDisconnected: offline, backoff restart, the locks come back and converge", async () => {
  h = new ZigbeeHarness([zigbeeLock({ name: "Back door" })]);
  await h.start();
  const lock = h.lock();
  const id = lock.identity.radioId;
  expect((await lock.writeSlot(1, "4455"))).toMatchObject({ ok: true });
  const readyBefore = h.events.filter((e) => e.type === "lock_ready").length;

  h.simulator.unplugCoordinator();
  await h.nextEvent("availability", (e) => e.radioId === id && !e.online);
  expect(lock.isOnline()).toBe(false);
  const t0 = Date.now();
  expect(await lock.writeSlot(2, "6677")).toMatchObject({ ok: false, failure: "offline" });
  expect(Date.now() - t0).toBeLessThan(200);
  // The coordinator stays away for a few attempts.
  await h.waitFor(() => h!.logs.filter((l) => l.msg === "zigbee coordinator not reachable; retrying").length >= 2, 10_000, "two failed restarts");

  h.simulator.plugInCoordinator();
  await h.waitFor(() => h!.events.filter((e) => e.type === "lock_ready").length > readyBefore, 15_000, "the lock ready again");
  const back = h.lock();
  expect(back.identity.radioId).toBe(id);
  expect(back.isOnline()).toBe(true);
  expect(await back.writeSlot(2, "6677")).toMatchObject({ ok: true });
  expect(h.simulator.physicalSlots(id).filter((s) => s.code !== null)).toEqual([
    { slot: 1, code: "4455" },
    { slot: 2, code: "6677" },
  ]);

  const messages = h.logs.map((l) => l.msg);
  expect(messages.filter((m) => m === "zigbee coordinator disconnected; its locks are offline until it is back")).toHaveLength(1);
  expect(messages.filter((m) => m === "zigbee coordinator is back")).toHaveLength(1);
  const pauses = h.logs.filter((l) => l.msg === "zigbee coordinator not reachable; retrying").map((l) => (l.obj as { retryInMs: number }).retryInMs);
  expect(pauses).toEqual([...pauses].sort((a, b) => a - b));
  expect(h.logText()).not.toMatch(/4455|6677/);
}, 40_000);
