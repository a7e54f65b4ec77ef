// The contract's bolt, door and body scenarios (protocol.md §8), several codes per write, and frame
// counts: part of the shared suite in contract-suite.ts, on the same rig and locks, in order.
import { expect, it } from "vitest";
import type { LockHandle } from "../../drivers/contract.js";
import { ok, settle, type SuiteContext } from "./contract-suite.js";

export function doorScenarios(ctx: SuiteContext): void {
  const { x } = ctx;
  const rig = () => ctx.rig();
  const door = (): LockHandle => ctx.lock("Door");
  const faulty = (): LockHandle => ctx.lock("Faulty");
  const relock = (): LockHandle => ctx.lock("Relock");
  const batch = (): LockHandle => ctx.lock("Batch");
  const main = (): LockHandle => ctx.lock("Main");

  it("state: readLockState reads bolt and door; lockState() keeps it; controls say remote lock/unlock and a door sensor", async () => {
    const lock = door();
    expect(await ctx.timed("read lock state", () => lock.readLockState())).toEqual({ locked: true, doorOpen: false });
    expect(lock.lockState()).toEqual({ locked: true, doorOpen: false });
    expect(lock.lockControls()).toEqual({ remoteLock: true, remoteUnlock: true, doorSensor: true });
    expect(rig().simulator.physicalDoor(lock.identity.radioId)).toMatchObject({ locked: true, doorOpen: false });
  });

  it("unlock and lock: confirmed with a proof, the bolt moves, one lock_operation (remote) and one lock_state each", async () => {
    const lock = door();
    const radioId = lock.identity.radioId;
    const from = rig().mark();
    expect(await ctx.timed("unlock", () => lock.setLocked(false))).toEqual({ ok: true, proof: x().operationProof });
    expect(rig().simulator.physicalDoor(radioId)).toMatchObject({ locked: false });
    expect(lock.lockState().locked).toBe(false);
    expect(await rig().nextEvent("lock_operation", radioId, from)).toEqual({ type: "lock_operation", radioId, action: "unlocked", method: "remote", slot: null });
    expect(await rig().nextEvent("lock_state", radioId, from)).toMatchObject({ state: { locked: false, doorOpen: false } });
    const second = rig().mark();
    expect(await ctx.timed("lock", () => lock.setLocked(true))).toEqual({ ok: true, proof: x().operationProof });
    expect(rig().simulator.physicalDoor(radioId)).toMatchObject({ locked: true });
    await rig().nextEvent("lock_operation", radioId, second, (e) => e.action === "locked");
    // However the lock reports an operation (notification, state report, both), it is one operation.
    await settle(1200);
    expect(rig().eventsSince(from, "lock_operation", radioId).map((e) => `${e.action}/${e.method}`)).toEqual(["unlocked/remote", "locked/remote"]);
    expect(rig().eventsSince(from, "lock_state", radioId).map((e) => e.state.locked)).toEqual([false, true]);
  });

  it("a lock that refuses (jammed bolt): rejected, the bolt stays, no operation reported", async () => {
    const lock = faulty();
    const radioId = lock.identity.radioId;
    rig().simulator.setFaults(radioId, { jammed: true });
    const from = rig().mark();
    try {
      expect(await lock.setLocked(false)).toMatchObject({ ok: false, failure: "rejected" });
      expect(rig().simulator.physicalDoor(radioId)).toMatchObject({ locked: true, boltMoves: 0 });
      await settle(1000);
      expect(rig().eventsSince(from, "lock_operation", radioId)).toEqual([]);
      expect(lock.isOnline()).toBe(true);
    } finally {
      rig().simulator.setFaults(radioId, { jammed: false });
    }
    expect(await lock.setLocked(false)).toMatchObject({ ok: true });
    expect(await lock.setLocked(true)).toMatchObject({ ok: true });
  });

  it("a lock that does not answer: one bounded attempt, timeout, the bolt stays; it works again once it answers", async () => {
    const lock = faulty();
    const radioId = lock.identity.radioId;
    const moves = rig().simulator.physicalDoor(radioId).boltMoves;
    rig().simulator.setFaults(radioId, { unresponsive: true });
    try {
      const result = await ctx.timed("unlock an unresponsive lock", () => lock.setLocked(false));
      expect(result).toMatchObject({ ok: false, failure: "timeout" });
      expect(ctx.timings["unlock an unresponsive lock"]).toBeLessThan(x().silentCallBoundMs);
      expect(rig().simulator.physicalDoor(radioId)).toMatchObject({ locked: true, boltMoves: moves });
    } finally {
      rig().simulator.setFaults(radioId, { unresponsive: false });
    }
    expect(await lock.setLocked(false)).toMatchObject({ ok: true });
    expect(await lock.setLocked(true)).toMatchObject({ ok: true });
  });

  it("thumb turn and keypad lock button: lock_operation manual, and the state follows", async () => {
    const lock = door();
    const radioId = lock.identity.radioId;
    const from = rig().mark();
    await rig().simulator.turnThumbTurn(radioId, false);
    expect(await rig().nextEvent("lock_operation", radioId, from)).toMatchObject({ action: "unlocked", method: "manual", slot: null });
    await rig().waitFor(() => lock.lockState().locked === false, 3000, "state unlocked");
    const button = rig().mark();
    await rig().simulator.pressKeypadLock(radioId);
    expect(await rig().nextEvent("lock_operation", radioId, button)).toMatchObject({ action: "locked", method: "manual", slot: null });
    await rig().waitFor(() => lock.lockState().locked === true, 3000, "state locked");
    await settle(1000);
    expect(rig().eventsSince(from, "lock_operation", radioId)).toHaveLength(2);
  });

  it("keypad unlock with a code: lock_operation keycode with the slot, the bolt unlocked", async () => {
    const lock = door();
    const radioId = lock.identity.radioId;
    ok(await lock.writeSlot(1, "3141"));
    const from = rig().mark();
    expect(await rig().simulator.keypadUnlock(radioId, "3141")).toEqual({ unlocked: true, slot: 1 });
    expect(await rig().nextEvent("lock_operation", radioId, from)).toMatchObject({ action: "unlocked", method: "keycode", slot: 1 });
    await rig().waitFor(() => lock.lockState().locked === false, 3000, "state unlocked");
    expect(rig().simulator.physicalDoor(radioId).locked).toBe(false);
    ok(await lock.setLocked(true));
  });

  it("wrong code at the keypad: access_denied, nothing opens", async () => {
    const lock = door();
    const radioId = lock.identity.radioId;
    const from = rig().mark();
    expect(await rig().simulator.keypadUnlock(radioId, "2718")).toEqual({ unlocked: false, slot: null });
    expect(await rig().nextEvent("access_denied", radioId, from)).toEqual({ type: "access_denied", radioId, slot: null });
    expect(rig().simulator.physicalDoor(radioId).locked).toBe(true);
    await settle(1000);
    expect(rig().eventsSince(from, "lock_operation", radioId)).toEqual([]);
  });

  it("door sensor: open and close are reported as lock_state doorOpen", async () => {
    const lock = door();
    const radioId = lock.identity.radioId;
    const from = rig().mark();
    await rig().simulator.setDoorOpen(radioId, true);
    expect(await rig().nextEvent("lock_state", radioId, from, (e) => e.state.doorOpen === true)).toMatchObject({ state: { locked: true, doorOpen: true } });
    await rig().simulator.setDoorOpen(radioId, false);
    await rig().nextEvent("lock_state", radioId, from, (e) => e.state.doorOpen === false);
    expect(lock.lockState()).toEqual({ locked: true, doorOpen: false });
    expect(rig().eventsSince(from, "lock_operation", radioId)).toEqual([]);
  });

  it("tamper: tampered (tamper); battery: level reports, and battery_low below 20%", async () => {
    const lock = door();
    const radioId = lock.identity.radioId;
    const from = rig().mark();
    await rig().simulator.tamper(radioId);
    expect(await rig().nextEvent("tampered", radioId, from)).toEqual({ type: "tampered", radioId, cause: "tamper" });
    await rig().simulator.setBatteryLevel(radioId, 55);
    expect(await rig().nextEvent("battery", radioId, from)).toMatchObject({ level: 55 });
    expect(rig().eventsSince(from, "battery_low", radioId)).toEqual([]);
    await rig().simulator.setBatteryLevel(radioId, 15);
    await rig().nextEvent("battery", radioId, from, (e) => e.level === 15);
    expect(await rig().nextEvent("battery_low", radioId, from)).toEqual({ type: "battery_low", radioId });
    await rig().waitFor(() => lock.batteryLevel() === 15, 3000, "battery level 15");
  });

  it("auto-relock: after an unlock the lock relocks itself (automatic), but not while the door is open", async () => {
    const lock = relock();
    const radioId = lock.identity.radioId;
    const from = rig().mark();
    ok(await lock.setLocked(false));
    expect(await rig().nextEvent("lock_operation", radioId, from, (e) => e.action === "locked", 4000)).toMatchObject({ method: "automatic", slot: null });
    await rig().waitFor(() => lock.lockState().locked === true, 3000, "relocked");
    const open = rig().mark();
    ok(await lock.setLocked(false));
    await rig().simulator.setDoorOpen(radioId, true);
    await settle(1500);
    expect(rig().eventsSince(open, "lock_operation", radioId).filter((e) => e.action === "locked")).toEqual([]);
    expect(rig().simulator.physicalDoor(radioId).locked).toBe(false);
    await rig().simulator.setDoorOpen(radioId, false);
    expect(await rig().nextEvent("lock_operation", radioId, open, (e) => e.action === "locked", 4000)).toMatchObject({ method: "automatic" });
    expect(rig().simulator.physicalDoor(radioId)).toMatchObject({ locked: true, doorOpen: false });
  });

  it("keypad lockout: five wrong codes in a row -> access_denied each, then tampered (keypad_lockout); the keypad is off", async () => {
    const lock = relock();
    const radioId = lock.identity.radioId;
    ok(await lock.writeSlot(1, "1111"));
    const from = rig().mark();
    for (let i = 0; i < 5; i++) await rig().simulator.keypadUnlock(radioId, "2718");
    expect(await rig().nextEvent("tampered", radioId, from)).toEqual({ type: "tampered", radioId, cause: "keypad_lockout" });
    await rig().waitFor(() => rig().eventsSince(from, "access_denied", radioId).length === 5, 3000, "five access_denied");
    // Locked out: even the right code opens nothing now.
    expect(await rig().simulator.keypadUnlock(radioId, "1111")).toEqual({ unlocked: false, slot: null });
    expect(rig().simulator.physicalDoor(radioId).locked).toBe(true);
  });

  it("writeSlots: each code proven on its own; a radio that takes several per frame sends one command, others one per code", async () => {
    const lock = batch();
    const radioId = lock.identity.radioId;
    const caps = lock.capabilities();
    // Z-Wave, S2 Access Control (as every simulated lock is) on the mock controller: 30 bytes of User Code
    // payload per Supervision frame (42 without S2; docs/radio-time.md).
    expect(caps.multiCodeWrite).toEqual(x().multiCodeWrite);
    ctx.proven(lock, await lock.writeSlot(1, "4702"));
    // What a slot's first write costs once (a scheduling lock lifts the slot's schedule) is paid before the
    // counts: each slot below written and cleared once.
    for (const [slot, code] of [[2, "5813"], [3, "6924"], [4, "7035"], [7, "8642"]] as const) {
      ctx.proven(lock, await lock.writeSlot(slot, code));
      ctx.proven(lock, await lock.clearSlot(slot), "clear");
    }
    // One single write as the driver writes once it knows the lock (its first may have taught it).
    const f0 = rig().simulator.frameCount(radioId);
    ctx.proven(lock, await lock.writeSlot(7, "8642"));
    const single = rig().simulator.frameCount(radioId) - f0;
    const f1 = rig().simulator.frameCount(radioId);
    const results = await ctx.timed("write three codes at once", () => lock.writeSlots([{ slot: 2, code: "5813" }, { slot: 3, code: "6924" }, { slot: 4, code: "7035" }]));
    for (const r of results) expect(x().laterWriteProofs).toContain(r.ok ? r.proof : r);
    expect(rig().simulator.frameCount(radioId) - f1).toBe(x().batchesCodes ? single : 3 * single);
    expect(rig().simulator.physicalSlots(radioId).slice(0, 4).map((s) => s.code)).toEqual(["4702", "5813", "6924", "7035"]);
    // A duplicate among them fails alone, named "duplicate" as a single write would be; the other code is stored.
    const mixed = await lock.writeSlots([{ slot: 5, code: "1111" }, { slot: 6, code: "4702" }]);
    expect(x().laterWriteProofs).toContain(mixed[0]!.ok ? mixed[0]!.proof : mixed[0]);
    expect(mixed[1]).toMatchObject({ ok: false, failure: "duplicate" });
    expect([rig().physical(lock, 5), rig().physical(lock, 6)]).toEqual(["1111", null]);
  });

  it("frameCount grows with radio traffic, per lock and in total", async () => {
    const radioId = main().identity.radioId;
    const before = rig().simulator.frameCount(radioId);
    const totalBefore = rig().simulator.frameCount();
    await main().readSlot(1);
    const after = rig().simulator.frameCount(radioId);
    expect(after).toBeGreaterThan(before);
    expect(rig().simulator.frameCount()).toBe(totalBefore + (after - before));
    const perLock = rig().driver!.locks().reduce((sum, l) => sum + rig().simulator.frameCount(l.identity.radioId), 0);
    expect(rig().simulator.frameCount()).toBe(perLock);
  });
}
