// Issue 5, item 6: ONE driver contract (drivers/contract.ts), the same scenarios on the Z-Wave and the
// Zigbee simulation. Each radio gets one simulated network with three small locks, shared by the
// scenarios in order (a start costs seconds), and is restarted on the same data dir at the end.
// Radio differences are the named traits in test/support/driver-harness.ts: a trait picks which of two
// allowed outcomes a radio must show; no scenario is skipped or loosened for one radio.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RadioError, type LockHandle, type LockOperationResult, type RadioResult, type SimulatedLockConfig } from "../../drivers/contract.js";
import { zigbeeHarness, zwaveHarness, type DriverHarness, type RunningDriver } from "../support/driver-harness.js";

type LockConfig = Omit<SimulatedLockConfig, "protocol">;
const base = { code_lengths: [4, 5, 6], checksum: true, native_scheduling: false, masked_readback: false, battery: true } as const;
/** Keypad scenarios, set/verify/clear, duplicates, unlock, restart. */
const MAIN: LockConfig = { ...base, name: "Main", slots: 6 };
/** The full-lock scenario. */
const SMALL: LockConfig = { ...base, name: "Small", slots: 3 };
/** Faults and link loss, kept away from the other locks' state. */
const FAULTY: LockConfig = { ...base, name: "Faulty", slots: 4 };
/** The bolt, the door and the body (protocol.md §8). */
const DOOR: LockConfig = { ...base, name: "Door", slots: 3 };
/** Auto-relock after 1 s, and the keypad lockout (it leaves the keypad off for a while). */
const RELOCK: LockConfig = { ...base, name: "Relock", slots: 2, auto_relock_s: 1 };
/** Several codes per write: a multi-code User Code v2 lock on Z-Wave; Zigbee has no such thing. */
const BATCH: LockConfig = { ...base, name: "Batch", slots: 8, multi_code: true };

/** Every PIN used below: none may ever reach a driver log line. */
const PINS = ["4821", "0123", "9753", "2580", "1470", "2581", "3692", "8024", "1357", "2468", "6802", "7913", "5555", "3141", "2718", "1111", "4702", "5813", "6924", "7035"];

const timings: Record<string, Record<string, number>> = {};

function ok(result: RadioResult | LockOperationResult): void {
  expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
}

async function rejection(promise: Promise<unknown>): Promise<RadioError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RadioError);
  return error as RadioError;
}

const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([zwaveHarness, zigbeeHarness])("driver contract on $protocol", (harness: DriverHarness) => {
  const { traits } = harness;
  let rig: RunningDriver;
  const t: Record<string, number> = {};
  timings[harness.protocol] = t;
  const main = (): LockHandle => rig.lock("Main");
  const small = (): LockHandle => rig.lock("Small");
  const faulty = (): LockHandle => rig.lock("Faulty");
  const door = (): LockHandle => rig.lock("Door");
  const relock = (): LockHandle => rig.lock("Relock");
  const batch = (): LockHandle => rig.lock("Batch");

  /** Runs `work` and records how long it took under `label`. */
  async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    try {
      return await work();
    } finally {
      t[label] = Date.now() - t0;
    }
  }

  beforeAll(async () => {
    rig = await timed("start until 6 locks ready", () => harness.start([MAIN, SMALL, FAULTY, DOOR, RELOCK, BATCH]));
  });

  afterAll(async () => {
    const logs = rig?.logText() ?? "";
    await rig?.dispose();
    console.info(`${harness.protocol} contract timings (ms): ${JSON.stringify(t)}`);
    for (const pin of PINS) expect(logs, `PIN ${pin} reached a ${harness.protocol} log line`).not.toMatch(new RegExp(`(?<![0-9])${pin}(?![0-9])`));
  });

  it("reports ready locks with their identity and the capabilities the lock declares", () => {
    expect(rig.driver?.protocol).toBe(harness.protocol);
    expect(rig.driver?.locks().map((l) => l.identity.name).sort()).toEqual(["Batch", "Door", "Faulty", "Main", "Relock", "Small"]);
    for (const [lock, slots] of [[main(), 6], [small(), 3], [faulty(), 4]] as const) {
      expect(lock.identity).toMatchObject({ protocol: harness.protocol, simulated: true, isBattery: true });
      expect(lock.identity.radioId.startsWith(`${harness.protocol}:`)).toBe(true);
      expect(lock.capabilities()).toEqual({
        slotCount: slots,
        codeLengths: [4, 5, 6],
        charset: "0123456789",
        supportsChecksum: traits.checksum,
        supportsNativeSchedule: false,
        readback: "digits",
      });
      expect(lock.isOnline()).toBe(true);
    }
  });

  it("set: a write is confirmed with a proof and lands in the lock's memory", async () => {
    const result = await timed("write one code", () => main().writeSlot(1, "4821"));
    expect(result).toEqual({ ok: true, proof: traits.digitsProof });
    expect(rig.physical(main(), 1)).toBe("4821");
  });

  it("verify: the slot reads back the written code; the checksum follows the memory (or is null)", async () => {
    expect(await timed("read one slot", () => main().readSlot(1))).toEqual({ slot: 1, code: "4821" });
    expect(await main().readSlot(2)).toEqual({ slot: 2, code: null });
    const before = await main().readChecksum();
    if (traits.checksum) {
      expect(typeof before).toBe("number");
      ok(await main().writeSlot(6, "5555"));
      expect(await main().readChecksum()).not.toBe(before);
      ok(await main().clearSlot(6));
      expect(await main().readChecksum()).toBe(before);
    } else {
      expect(before).toBeNull();
    }
  });

  it('leading zeros are preserved: "0123" stays "0123" in the lock and on read-back', async () => {
    expect(await main().writeSlot(2, "0123")).toEqual({ ok: true, proof: traits.digitsProof });
    expect(rig.physical(main(), 2)).toBe("0123");
    expect(await main().readSlot(2)).toEqual({ slot: 2, code: "0123" });
  });

  it("clear: the slot is emptied, confirmed, and reads back empty", async () => {
    expect(await timed("clear one slot", () => main().clearSlot(2))).toEqual({ ok: true, proof: traits.digitsProof });
    expect(rig.physical(main(), 2)).toBeNull();
    expect(await main().readSlot(2)).toEqual({ slot: 2, code: null });
  });

  it("the driver's own reads and writes are never reported as slot changes", () => {
    expect(rig.eventsSince(0, "slot_changed")).toEqual([]);
  });

  it("keypad edit of a code: slot_changed (keypad_added), physical memory and read-back show the new code", async () => {
    const radioId = main().identity.radioId;
    const from = rig.mark();
    await rig.simulator.keypadSetCode(radioId, 1, "9753");
    const changed = await rig.nextEvent("slot_changed", radioId, from);
    expect(changed).toMatchObject({ slot: 1, cause: "keypad_added" });
    // The report carries the digits on a radio whose keypad report has them; the hub re-reads otherwise.
    if (traits.keypadReportCarriesCode) expect(changed.code).toBe("9753");
    else expect(changed).not.toHaveProperty("code");
    expect(rig.physical(main(), 1)).toBe("9753");
    expect(await main().readSlot(1)).toEqual({ slot: 1, code: "9753" });
    await settle();
    expect(rig.eventsSince(from, "slot_changed", radioId)).toHaveLength(1);
  });

  it("keypad delete: slot_changed (keypad_deleted), the slot is empty", async () => {
    const radioId = main().identity.radioId;
    ok(await main().writeSlot(3, "7913"));
    const from = rig.mark();
    await rig.simulator.keypadClearCode(radioId, 3);
    const changed = await rig.nextEvent("slot_changed", radioId, from);
    expect(changed).toMatchObject({ slot: 3, cause: "keypad_deleted" });
    if ("code" in changed) expect(changed.code).toBeNull();
    expect(rig.physical(main(), 3)).toBeNull();
    expect(await main().readSlot(3)).toEqual({ slot: 3, code: null });
  });

  it("unmanaged code: the keypad adds a code in a free slot -> slot_changed, readSlot returns it", async () => {
    const radioId = main().identity.radioId;
    expect(rig.physical(main(), 5)).toBeNull();
    const from = rig.mark();
    await rig.simulator.keypadSetCode(radioId, 5, "2580");
    const changed = await rig.nextEvent("slot_changed", radioId, from);
    expect(changed).toMatchObject({ slot: 5, cause: "keypad_added" });
    if (traits.keypadReportCarriesCode) expect(changed.code).toBe("2580");
    expect(await main().readSlot(5)).toEqual({ slot: 5, code: "2580" });
    expect(rig.physical(main(), 5)).toBe("2580");
  });

  it("full lock: every slot filled, slot N+1 refused before any radio traffic; a cleared slot takes a new code", async () => {
    const lock = small();
    const radioId = lock.identity.radioId;
    for (const [i, code] of ["1470", "2581", "3692"].entries()) ok(await lock.writeSlot(i + 1, code));
    expect(rig.simulator.physicalSlots(radioId)).toEqual([
      { slot: 1, code: "1470" },
      { slot: 2, code: "2581" },
      { slot: 3, code: "3692" },
    ]);
    expect(lock.capabilities().slotCount).toBe(3);
    const frames = rig.simulator.frameCount(radioId);
    expect(await lock.writeSlot(4, "8024")).toMatchObject({ ok: false, failure: "rejected" });
    expect(await lock.writeSlot(0, "8024")).toMatchObject({ ok: false, failure: "rejected" });
    expect(await lock.clearSlot(4)).toMatchObject({ ok: false, failure: "rejected" });
    expect((await rejection(lock.readSlot(4))).failure).toBe("rejected");
    expect(rig.simulator.frameCount(radioId)).toBe(frames);
    expect(rig.simulator.physicalSlots(radioId).map((s) => s.code)).toEqual(["1470", "2581", "3692"]);

    ok(await lock.clearSlot(2));
    expect(rig.physical(lock, 2)).toBeNull();
    ok(await lock.writeSlot(2, "8024"));
    expect(rig.simulator.physicalSlots(radioId).map((s) => s.code)).toEqual(["1470", "8024", "3692"]);
    expect(await lock.readSlot(2)).toEqual({ slot: 2, code: "8024" });
  });

  it('duplicate over the air: failure "duplicate", nothing stored, duplicate_refused for the slot', async () => {
    const radioId = main().identity.radioId;
    expect(rig.physical(main(), 1)).toBe("9753");
    const from = rig.mark();
    const result = await timed("duplicate write", () => main().writeSlot(3, "9753"));
    expect(result).toMatchObject({ ok: false, failure: "duplicate" });
    expect(rig.physical(main(), 3)).toBeNull();
    expect(await rig.nextEvent("duplicate_refused", radioId, from)).toMatchObject({ slot: 3 });
  });

  it("duplicate at the keypad: duplicate_refused, memory unchanged, no slot change", async () => {
    const radioId = main().identity.radioId;
    const from = rig.mark();
    await rig.simulator.keypadSetCode(radioId, 4, "9753");
    const refused = await rig.nextEvent("duplicate_refused", radioId, from);
    expect(refused.slot).toBe(traits.keypadDuplicateNamesSlot ? 4 : null);
    expect(rig.physical(main(), 4)).toBeNull();
    expect(rig.physical(main(), 1)).toBe("9753");
    await settle();
    expect(rig.eventsSince(from, "slot_changed", radioId)).toEqual([]);
  });

  it("keypad unlock: one lock_operation unlocked by keycode with the slot; a wrong PIN opens nothing", async () => {
    const radioId = main().identity.radioId;
    const from = rig.mark();
    expect(await rig.simulator.keypadUnlock(radioId, "9753")).toEqual({ unlocked: true, slot: 1 });
    expect(await rig.nextEvent("lock_operation", radioId, from)).toEqual({
      type: "lock_operation",
      radioId,
      action: "unlocked",
      method: "keycode",
      slot: 1,
    });
    expect(await rig.simulator.keypadUnlock(radioId, "6802")).toEqual({ unlocked: false, slot: null });
    await settle(300);
    // One unlock is one event (a lock that also reports its lockState must not count twice).
    expect(rig.eventsSince(from, "lock_operation", radioId)).toHaveLength(1);
  });

  it("masked read-back (masked_readback fault): the write is proven by status, readSlot gives code undefined", async () => {
    const lock = faulty();
    const radioId = lock.identity.radioId;
    rig.simulator.setFaults(radioId, { masked_readback: true });
    try {
      expect(await lock.writeSlot(1, "1357")).toEqual({ ok: true, proof: "status" });
      expect(lock.capabilities().readback).toBe("status_only");
      expect(await lock.readSlot(1)).toEqual({ slot: 1, code: undefined });
      expect(await lock.readSlot(2)).toEqual({ slot: 2, code: null });
      expect(rig.physical(lock, 1)).toBe("1357");
    } finally {
      rig.simulator.setFaults(radioId, { masked_readback: false });
    }
    // Digits are shown again: the code is readable.
    expect(await lock.readSlot(1)).toEqual({ slot: 1, code: "1357" });
  });

  it('rejects_codes: the refusal is "rejected" and the lock\'s memory is unchanged', async () => {
    const lock = faulty();
    const radioId = lock.identity.radioId;
    rig.simulator.setFaults(radioId, { rejects_codes: true });
    try {
      expect(await lock.writeSlot(1, "2468")).toMatchObject({ ok: false, failure: "rejected" });
      expect(await lock.writeSlot(3, "2468")).toMatchObject({ ok: false, failure: "rejected" });
      expect(rig.physical(lock, 1)).toBe("1357");
      expect(rig.physical(lock, 3)).toBeNull();
      expect(lock.isOnline()).toBe(true);
    } finally {
      rig.simulator.setFaults(radioId, { rejects_codes: false });
    }
    ok(await lock.writeSlot(3, "2468"));
    expect(rig.physical(lock, 3)).toBe("2468");
  });

  it('unresponsive: one bounded attempt, failure "timeout", availability offline; back in use once it answers', async () => {
    const lock = faulty();
    const radioId = lock.identity.radioId;
    const from = rig.mark();
    rig.simulator.setFaults(radioId, { unresponsive: true });
    try {
      const result = await timed("write to an unresponsive lock", () => lock.writeSlot(4, "6802"));
      expect(result).toMatchObject({ ok: false, failure: "timeout" });
      expect(t["write to an unresponsive lock"]).toBeLessThan(traits.silentCallBoundMs);
      expect(await rig.nextEvent("availability", radioId, from)).toMatchObject({ online: false });
      expect(lock.isOnline()).toBe(false);
      expect(rig.physical(lock, 4)).toBeNull();
    } finally {
      rig.simulator.setFaults(radioId, { unresponsive: false });
    }
    // No connect(): the next command reaching the lock is enough.
    const back = rig.mark();
    ok(await lock.writeSlot(4, "6802"));
    expect(await rig.nextEvent("availability", radioId, back)).toMatchObject({ online: true });
    expect(lock.isOnline()).toBe(true);
    expect(rig.physical(lock, 4)).toBe("6802");
  });

  it("offline: disconnect -> availability offline and a bounded write failure; connect -> online, writes work", async () => {
    const lock = faulty();
    const radioId = lock.identity.radioId;
    const from = rig.mark();
    await rig.simulator.disconnect(radioId);
    if (traits.offlineNoticed === "at_disconnect") {
      expect(await rig.nextEvent("availability", radioId, from)).toMatchObject({ online: false });
    } else {
      expect(rig.eventsSince(from, "availability", radioId)).toEqual([]);
    }
    const result = await timed("write to a disconnected lock", () => lock.writeSlot(2, "8024"));
    expect(t["write to a disconnected lock"]).toBeLessThan(traits.silentCallBoundMs);
    expect(result).toMatchObject({ ok: false, failure: "offline" });
    expect(await rig.nextEvent("availability", radioId, from)).toMatchObject({ online: false });
    expect(lock.isOnline()).toBe(false);
    expect(rig.eventsSince(from, "availability", radioId)).toHaveLength(1);
    expect(rig.physical(lock, 2)).toBeNull();

    const back = rig.mark();
    await rig.simulator.connect(radioId);
    expect(await rig.nextEvent("availability", radioId, back)).toMatchObject({ online: true });
    expect(lock.isOnline()).toBe(true);
    ok(await lock.writeSlot(2, "8024"));
    expect(rig.physical(lock, 2)).toBe("8024");
  });

  // ---- the bolt, the door and the body (protocol.md §8) -----------------------------------------

  it("state: readLockState reads bolt and door; lockState() keeps it; controls say remote lock/unlock and a door sensor", async () => {
    const lock = door();
    expect(await timed("read lock state", () => lock.readLockState())).toEqual({ locked: true, doorOpen: false });
    expect(lock.lockState()).toEqual({ locked: true, doorOpen: false });
    expect(lock.lockControls()).toEqual({ remoteLock: true, remoteUnlock: true, doorSensor: true });
    expect(rig.simulator.physicalDoor(lock.identity.radioId)).toMatchObject({ locked: true, doorOpen: false });
  });

  it("unlock and lock: confirmed with a proof, the bolt moves, one lock_operation (remote) and one lock_state each", async () => {
    const lock = door();
    const radioId = lock.identity.radioId;
    const from = rig.mark();
    expect(await timed("unlock", () => lock.setLocked(false))).toEqual({ ok: true, proof: traits.operationProof });
    expect(rig.simulator.physicalDoor(radioId)).toMatchObject({ locked: false });
    expect(lock.lockState().locked).toBe(false);
    expect(await rig.nextEvent("lock_operation", radioId, from)).toEqual({ type: "lock_operation", radioId, action: "unlocked", method: "remote", slot: null });
    expect(await rig.nextEvent("lock_state", radioId, from)).toMatchObject({ state: { locked: false, doorOpen: false } });
    const second = rig.mark();
    expect(await timed("lock", () => lock.setLocked(true))).toEqual({ ok: true, proof: traits.operationProof });
    expect(rig.simulator.physicalDoor(radioId)).toMatchObject({ locked: true });
    await rig.nextEvent("lock_operation", radioId, second, (e) => e.action === "locked");
    // However the lock reports an operation (notification, state report, both), it is one operation.
    await settle(1200);
    expect(rig.eventsSince(from, "lock_operation", radioId).map((e) => `${e.action}/${e.method}`)).toEqual(["unlocked/remote", "locked/remote"]);
    expect(rig.eventsSince(from, "lock_state", radioId).map((e) => e.state.locked)).toEqual([false, true]);
  });

  it("a lock that refuses (jammed bolt): rejected, the bolt stays, no operation reported", async () => {
    const lock = faulty();
    const radioId = lock.identity.radioId;
    rig.simulator.setFaults(radioId, { jammed: true });
    const from = rig.mark();
    try {
      expect(await lock.setLocked(false)).toMatchObject({ ok: false, failure: "rejected" });
      expect(rig.simulator.physicalDoor(radioId)).toMatchObject({ locked: true, boltMoves: 0 });
      await settle(1000);
      expect(rig.eventsSince(from, "lock_operation", radioId)).toEqual([]);
      expect(lock.isOnline()).toBe(true);
    } finally {
      rig.simulator.setFaults(radioId, { jammed: false });
    }
    expect(await lock.setLocked(false)).toMatchObject({ ok: true });
    expect(await lock.setLocked(true)).toMatchObject({ ok: true });
  });

  it("a lock that does not answer: one bounded attempt, timeout, the bolt stays; it works again once it answers", async () => {
    const lock = faulty();
    const radioId = lock.identity.radioId;
    const moves = rig.simulator.physicalDoor(radioId).boltMoves;
    rig.simulator.setFaults(radioId, { unresponsive: true });
    try {
      const result = await timed("unlock an unresponsive lock", () => lock.setLocked(false));
      expect(result).toMatchObject({ ok: false, failure: "timeout" });
      expect(t["unlock an unresponsive lock"]).toBeLessThan(traits.silentCallBoundMs);
      expect(rig.simulator.physicalDoor(radioId)).toMatchObject({ locked: true, boltMoves: moves });
    } finally {
      rig.simulator.setFaults(radioId, { unresponsive: false });
    }
    expect(await lock.setLocked(false)).toMatchObject({ ok: true });
    expect(await lock.setLocked(true)).toMatchObject({ ok: true });
  });

  it("thumb turn and keypad lock button: lock_operation manual, and the state follows", async () => {
    const lock = door();
    const radioId = lock.identity.radioId;
    const from = rig.mark();
    await rig.simulator.turnThumbTurn(radioId, false);
    expect(await rig.nextEvent("lock_operation", radioId, from)).toMatchObject({ action: "unlocked", method: "manual", slot: null });
    await rig.waitFor(() => lock.lockState().locked === false, 3000, "state unlocked");
    const button = rig.mark();
    await rig.simulator.pressKeypadLock(radioId);
    expect(await rig.nextEvent("lock_operation", radioId, button)).toMatchObject({ action: "locked", method: "manual", slot: null });
    await rig.waitFor(() => lock.lockState().locked === true, 3000, "state locked");
    await settle(1000);
    expect(rig.eventsSince(from, "lock_operation", radioId)).toHaveLength(2);
  });

  it("keypad unlock with a code: lock_operation keycode with the slot, the bolt unlocked", async () => {
    const lock = door();
    const radioId = lock.identity.radioId;
    ok(await lock.writeSlot(1, "3141"));
    const from = rig.mark();
    expect(await rig.simulator.keypadUnlock(radioId, "3141")).toEqual({ unlocked: true, slot: 1 });
    expect(await rig.nextEvent("lock_operation", radioId, from)).toMatchObject({ action: "unlocked", method: "keycode", slot: 1 });
    await rig.waitFor(() => lock.lockState().locked === false, 3000, "state unlocked");
    expect(rig.simulator.physicalDoor(radioId).locked).toBe(false);
    ok(await lock.setLocked(true));
  });

  it("wrong code at the keypad: access_denied, nothing opens", async () => {
    const lock = door();
    const radioId = lock.identity.radioId;
    const from = rig.mark();
    expect(await rig.simulator.keypadUnlock(radioId, "2718")).toEqual({ unlocked: false, slot: null });
    expect(await rig.nextEvent("access_denied", radioId, from)).toEqual({ type: "access_denied", radioId, slot: null });
    expect(rig.simulator.physicalDoor(radioId).locked).toBe(true);
    await settle(1000);
    expect(rig.eventsSince(from, "lock_operation", radioId)).toEqual([]);
  });

  it("door sensor: open and close are reported as lock_state doorOpen", async () => {
    const lock = door();
    const radioId = lock.identity.radioId;
    const from = rig.mark();
    await rig.simulator.setDoorOpen(radioId, true);
    expect(await rig.nextEvent("lock_state", radioId, from, (e) => e.state.doorOpen === true)).toMatchObject({ state: { locked: true, doorOpen: true } });
    await rig.simulator.setDoorOpen(radioId, false);
    await rig.nextEvent("lock_state", radioId, from, (e) => e.state.doorOpen === false);
    expect(lock.lockState()).toEqual({ locked: true, doorOpen: false });
    expect(rig.eventsSince(from, "lock_operation", radioId)).toEqual([]);
  });

  it("tamper: tampered (tamper); battery: level reports, and battery_low below 20%", async () => {
    const lock = door();
    const radioId = lock.identity.radioId;
    const from = rig.mark();
    await rig.simulator.tamper(radioId);
    expect(await rig.nextEvent("tampered", radioId, from)).toEqual({ type: "tampered", radioId, cause: "tamper" });
    await rig.simulator.setBatteryLevel(radioId, 55);
    expect(await rig.nextEvent("battery", radioId, from)).toMatchObject({ level: 55 });
    expect(rig.eventsSince(from, "battery_low", radioId)).toEqual([]);
    await rig.simulator.setBatteryLevel(radioId, 15);
    await rig.nextEvent("battery", radioId, from, (e) => e.level === 15);
    expect(await rig.nextEvent("battery_low", radioId, from)).toEqual({ type: "battery_low", radioId });
    await rig.waitFor(() => lock.batteryLevel() === 15, 3000, "battery level 15");
  });

  it("auto-relock: after an unlock the lock relocks itself (automatic), but not while the door is open", async () => {
    const lock = relock();
    const radioId = lock.identity.radioId;
    const from = rig.mark();
    ok(await lock.setLocked(false));
    expect(await rig.nextEvent("lock_operation", radioId, from, (e) => e.action === "locked", 4000)).toMatchObject({ method: "automatic", slot: null });
    await rig.waitFor(() => lock.lockState().locked === true, 3000, "relocked");
    const open = rig.mark();
    ok(await lock.setLocked(false));
    await rig.simulator.setDoorOpen(radioId, true);
    await settle(1500);
    expect(rig.eventsSince(open, "lock_operation", radioId).filter((e) => e.action === "locked")).toEqual([]);
    expect(rig.simulator.physicalDoor(radioId).locked).toBe(false);
    await rig.simulator.setDoorOpen(radioId, false);
    expect(await rig.nextEvent("lock_operation", radioId, open, (e) => e.action === "locked", 4000)).toMatchObject({ method: "automatic" });
    expect(rig.simulator.physicalDoor(radioId)).toMatchObject({ locked: true, doorOpen: false });
  });

  it("keypad lockout: five wrong codes in a row -> access_denied each, then tampered (keypad_lockout); the keypad is off", async () => {
    const lock = relock();
    const radioId = lock.identity.radioId;
    ok(await lock.writeSlot(1, "1111"));
    const from = rig.mark();
    for (let i = 0; i < 5; i++) await rig.simulator.keypadUnlock(radioId, "2718");
    expect(await rig.nextEvent("tampered", radioId, from)).toEqual({ type: "tampered", radioId, cause: "keypad_lockout" });
    await rig.waitFor(() => rig.eventsSince(from, "access_denied", radioId).length === 5, 3000, "five access_denied");
    // Locked out: even the right code opens nothing now.
    expect(await rig.simulator.keypadUnlock(radioId, "1111")).toEqual({ unlocked: false, slot: null });
    expect(rig.simulator.physicalDoor(radioId).locked).toBe(true);
  });

  it("writeSlots: each code proven on its own; a radio that takes several per frame sends one command, others one per code", async () => {
    const lock = batch();
    const radioId = lock.identity.radioId;
    const caps = lock.capabilities();
    // Z-Wave, S2 Access Control (as every simulated lock is) on the mock controller: 30 bytes of User Code
    // payload per Supervision frame (42 without S2; docs/radio-time.md).
    if (traits.batchesCodes) expect(caps.multiCodeWrite).toEqual({ budgetBytes: 30, batchBytes: 1, codeBytes: 4, maxCodes: 255 });
    else expect(caps.multiCodeWrite).toBeUndefined();
    const f0 = rig.simulator.frameCount(radioId);
    ok(await lock.writeSlot(1, "4702"));
    const single = rig.simulator.frameCount(radioId) - f0;
    const f1 = rig.simulator.frameCount(radioId);
    const results = await timed("write three codes at once", () => lock.writeSlots([{ slot: 2, code: "5813" }, { slot: 3, code: "6924" }, { slot: 4, code: "7035" }]));
    expect(results).toEqual([1, 2, 3].map(() => ({ ok: true, proof: traits.digitsProof })));
    expect(rig.simulator.frameCount(radioId) - f1).toBe(traits.batchesCodes ? single : 3 * single);
    expect(rig.simulator.physicalSlots(radioId).slice(0, 4).map((s) => s.code)).toEqual(["4702", "5813", "6924", "7035"]);
    // A duplicate among them fails alone, named "duplicate" as a single write would be; the other code is stored.
    const mixed = await lock.writeSlots([{ slot: 5, code: "1111" }, { slot: 6, code: "4702" }]);
    expect(mixed[0]).toEqual({ ok: true, proof: traits.digitsProof });
    expect(mixed[1]).toMatchObject({ ok: false, failure: "duplicate" });
    expect([rig.physical(lock, 5), rig.physical(lock, 6)]).toEqual(["1111", null]);
  });

  it("frameCount grows with radio traffic, per lock and in total", async () => {
    const radioId = main().identity.radioId;
    const before = rig.simulator.frameCount(radioId);
    const totalBefore = rig.simulator.frameCount();
    await main().readSlot(1);
    const after = rig.simulator.frameCount(radioId);
    expect(after).toBeGreaterThan(before);
    expect(rig.simulator.frameCount()).toBe(totalBefore + (after - before));
    const perLock = rig.driver!.locks().reduce((sum, l) => sum + rig.simulator.frameCount(l.identity.radioId), 0);
    expect(rig.simulator.frameCount()).toBe(perLock);
  });

  it("restart on the same data dir keeps the locks' memory and radio ids, without reporting slot changes", async () => {
    const ids = new Map(rig.driver!.locks().map((l) => [l.identity.name, l.identity.radioId]));
    const memory = new Map([...ids.values()].map((id) => [id, rig.simulator.physicalSlots(id)]));
    const doorBefore = rig.simulator.physicalDoor(ids.get("Door")!);
    const from = rig.mark();
    await timed("restart until 6 locks ready", () => rig.restart());
    expect(new Map(rig.driver!.locks().map((l) => [l.identity.name, l.identity.radioId]))).toEqual(ids);
    for (const [id, slots] of memory) expect(rig.simulator.physicalSlots(id)).toEqual(slots);
    expect(await main().readSlot(1)).toEqual({ slot: 1, code: "9753" });
    expect(await main().readSlot(5)).toEqual({ slot: 5, code: "2580" });
    expect(await small().readSlot(2)).toEqual({ slot: 2, code: "8024" });
    expect(main().capabilities().slotCount).toBe(6);
    expect(rig.eventsSince(from, "slot_changed")).toEqual([]);
    // The bolt and the door stay where they were; the restarted driver reads them and can move the bolt.
    expect(await door().readLockState()).toEqual({ locked: doorBefore.locked, doorOpen: doorBefore.doorOpen });
    expect(await door().setLocked(!doorBefore.locked)).toMatchObject({ ok: true });
    // The restarted driver works: a write and a clear.
    ok(await main().writeSlot(6, "5555"));
    ok(await main().clearSlot(6));
  });
});
