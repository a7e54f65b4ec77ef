// The Zigbee coordinator disappears (its stick pulled: herdsman's adapterDisconnected) and comes back:
// the real herdsman Controller on the simulated coordinator. Locks go offline, calls fail fast as
// "offline", the driver restarts the Controller with bounded backoff, and the locks come back with
// their memory intact, without a hub restart.
import { afterEach, expect, test } from "vitest";
import { PairingRecorder } from "../support/pairing-recorder.js";
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

test("a permit-join window open when the coordinator is lost ends with it; the restarted one opens a new window that the lost Controller's countdown leaves alone", async () => {
  h = new ZigbeeHarness([]);
  await h.start();
  const pairing = h.driver!.pairing!;
  const simulator = pairing.simulator!;
  const rec = new PairingRecorder();
  await pairing.include({ seconds: 2 }, rec.listener);
  const late = await simulator.newLock({ protocol: "zigbee", name: "Late", slots: 4 });

  h.simulator.unplugCoordinator();
  const lost = await rec.next("controller_lost", 5_000);
  expect(lost.message).toMatch(/coordinator was lost/);
  expect(rec.types()).toEqual(["controller_lost"]);
  // The coordinator forgot the window with its power.
  expect(await simulator.pressButton({ simId: late.simId })).toBe("none");

  h.simulator.plugInCoordinator();
  await h.waitFor(() => h!.logs.some((l) => l.msg === "zigbee coordinator is back"), 15_000, "the coordinator back");
  const again = new PairingRecorder();
  await pairing.include({ seconds: 30 }, again.listener);
  // The lost Controller's 2 s countdown runs out meanwhile; the new window stays open.
  await new Promise((r) => setTimeout(r, 2_500));
  expect(again.types()).toEqual([]);
  expect(await simulator.pressButton({ simId: late.simId })).toBe("joined");
  await h.nextEvent("lock_ready", (e) => e.lock.identity.radioId === `zigbee:${late.ieee}`, 10_000);
  expect(again.types()).toContain("joined");
}, 40_000);
