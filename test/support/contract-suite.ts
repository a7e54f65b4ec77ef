// Issue 5, item 6, and issue 15: ONE driver contract (drivers/contract.ts), the same scenarios on the
// Z-Wave and the Zigbee simulation, on the radios' default locks and on every real lock model of the
// catalogue. Each run gets one simulated network with six small locks, shared by the scenarios in order
// (a start costs seconds), and is restarted on the same data dir at the end. Where radios or models
// legitimately differ, the difference is a named expectation (test/support/contract-variants.ts): it picks
// which of two allowed outcomes a run must show; no scenario is skipped or loosened for one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RadioError, type LockHandle, type LockOperationResult, type RadioResult } from "../../drivers/contract.js";
import { doorScenarios } from "./contract-suite-door.js";
import type { ContractExpectations, ContractVariant, LockConfig } from "./contract-variants.js";
import type { DriverHarness, RunningDriver } from "./driver-harness.js";

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
export const SUITE_LOCKS = [MAIN, SMALL, FAULTY, DOOR, RELOCK, BATCH] as const;

/** Every PIN used below: none may ever reach a driver log line. */
export const PINS = ["8642", "4821", "0123", "9753", "2580", "1470", "2581", "3692", "8024", "1357", "2468", "6802", "7913", "5555", "3141", "2718", "1111", "4702", "5813", "6924", "7035"];
/** Codes that fill a lock whose model fixes more slots than the suite's three (slot 1..3 take PINS). */
const fillCode = (slot: number): string => String(700_000 + slot);

/** What the scenario modules share. */
export interface SuiteContext {
  readonly x: () => ContractExpectations;
  readonly rig: () => RunningDriver;
  readonly lock: (name: string) => LockHandle;
  /** Runs `work` and records how long it took under `label`. */
  timed<T>(label: string, work: () => Promise<T>): Promise<T>;
  readonly timings: Record<string, number>;
  /** What readSlot shows for a held code: the digits, or undefined on a lock that masks them. */
  shown(code: string): string | undefined;
  /** A write (or clear) succeeded with the proof this lock's model gives (its first write may teach the driver). */
  proven(lock: LockHandle, result: RadioResult, kind?: "write" | "clear"): void;
}

export function ok(result: RadioResult | LockOperationResult): void {
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

export const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers the whole contract for one radio and one variant (the default locks or a lock model). */
export function contractSuite(harness: DriverHarness, label: string, variant: () => Promise<ContractVariant>): void {
  describe(`driver contract on ${harness.protocol}, ${label} locks`, () => {
    let rig: RunningDriver;
    let x: ContractExpectations;
    const t: Record<string, number> = {};
    const written = new Set<string>();
    const ctx: SuiteContext = {
      x: () => x,
      rig: () => rig,
      lock: (name) => rig.lock(name),
      timings: t,
      async timed(what, work) {
        const t0 = Date.now();
        try {
          return await work();
        } finally {
          t[what] = Date.now() - t0;
        }
      },
      shown: (code) => (x.masked ? undefined : code),
      proven(lock, result, kind = "write") {
        const first = !written.has(lock.identity.radioId);
        if (kind === "write") written.add(lock.identity.radioId);
        expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
        const proof = result.ok ? result.proof : null;
        if (first) expect(kind === "write" ? x.firstWriteProofs : x.firstClearProofs).toContain(proof);
        else expect(kind === "write" ? x.laterWriteProofs : [x.laterClearProof]).toContain(proof);
      },
    };
    const main = (): LockHandle => rig.lock("Main");
    const small = (): LockHandle => rig.lock("Small");
    const faulty = (): LockHandle => rig.lock("Faulty");

    beforeAll(async () => {
      const v = await variant();
      x = v.expect;
      rig = await ctx.timed("start until 6 locks ready", () => harness.start(SUITE_LOCKS.map((l) => v.lock(l))));
    }, 120_000);

    afterAll(async () => {
      const logs = rig?.logText() ?? "";
      await rig?.dispose();
      console.info(`${harness.protocol} ${label} contract timings (ms): ${JSON.stringify(t)}`);
      for (const pin of PINS) expect(logs, `PIN ${pin} reached a ${harness.protocol} log line`).not.toMatch(new RegExp(`(?<![0-9])${pin}(?![0-9])`));
      expect(logs, "a filling code reached a log line").not.toMatch(/(?<![0-9])7\d{5}(?![0-9])/);
    });

    it("reports ready locks with their identity and the capabilities the lock declares", () => {
      expect(rig.driver?.protocol).toBe(harness.protocol);
      expect(rig.driver?.locks().map((l) => l.identity.name).sort()).toEqual(["Batch", "Door", "Faulty", "Main", "Relock", "Small"]);
      for (const [lock, slots] of [[main(), 6], [small(), 3], [faulty(), 4]] as const) {
        expect(lock.identity).toMatchObject({ protocol: harness.protocol, simulated: true, isBattery: true });
        expect(lock.identity.radioId.startsWith(`${harness.protocol}:`)).toBe(true);
        const { multiCodeWrite: _batching, ...caps } = lock.capabilities();
        expect(caps).toEqual({
          slotCount: x.slotCount(slots),
          codeLengths: x.codeLengths,
          charset: "0123456789",
          supportsChecksum: x.checksum,
          supportsNativeSchedule: x.nativeSchedule,
          readback: x.masked ? "status_only" : "digits",
        });
        expect(lock.isOnline()).toBe(true);
      }
    });

    it("set: a write is confirmed with a proof and lands in the lock's memory", async () => {
      const result = await ctx.timed("write one code", () => main().writeSlot(1, "4821"));
      ctx.proven(main(), result);
      expect(rig.physical(main(), 1)).toBe("4821");
    });

    it("verify: the slot reads back the written code; the checksum follows the memory (or is null)", async () => {
      expect(await ctx.timed("read one slot", () => main().readSlot(1))).toEqual({ slot: 1, code: ctx.shown("4821") });
      expect(await main().readSlot(2)).toEqual({ slot: 2, code: null });
      const before = await main().readChecksum();
      if (x.checksum) {
        expect(typeof before).toBe("number");
        ctx.proven(main(), await main().writeSlot(6, "5555"));
        expect(await main().readChecksum()).not.toBe(before);
        ctx.proven(main(), await main().clearSlot(6), "clear");
        expect(await main().readChecksum()).toBe(before);
      } else {
        expect(before).toBeNull();
      }
    });

    it('leading zeros are preserved: "0123" stays "0123" in the lock and on read-back', async () => {
      ctx.proven(main(), await main().writeSlot(2, "0123"));
      expect(rig.physical(main(), 2)).toBe("0123");
      expect(await main().readSlot(2)).toEqual({ slot: 2, code: ctx.shown("0123") });
    });

    it("clear: the slot is emptied, confirmed, and reads back empty", async () => {
      ctx.proven(main(), await ctx.timed("clear one slot", () => main().clearSlot(2)), "clear");
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
      if (x.keypadReportCarriesCode) expect(changed.code).toBe("9753");
      else expect(changed).not.toHaveProperty("code");
      expect(rig.physical(main(), 1)).toBe("9753");
      expect(await main().readSlot(1)).toEqual({ slot: 1, code: ctx.shown("9753") });
      await settle();
      expect(rig.eventsSince(from, "slot_changed", radioId)).toHaveLength(1);
    });

    it("keypad delete: slot_changed (keypad_deleted), the slot is empty", async () => {
      const radioId = main().identity.radioId;
      ctx.proven(main(), await main().writeSlot(3, "7913"));
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
      if (x.keypadReportCarriesCode) expect(changed.code).toBe("2580");
      expect(await main().readSlot(5)).toEqual({ slot: 5, code: ctx.shown("2580") });
      expect(rig.physical(main(), 5)).toBe("2580");
    });

    it("full lock: every slot filled, slot N+1 refused before any radio traffic; a cleared slot takes a new code", async () => {
      const lock = small();
      const radioId = lock.identity.radioId;
      const slots = x.slotCount(3);
      expect(lock.capabilities().slotCount).toBe(slots);
      const codes = Array.from({ length: slots }, (_, i) => ["1470", "2581", "3692"][i] ?? fillCode(i + 1));
      await ctx.timed(`fill ${slots} slots`, async () => {
        for (const [i, code] of codes.entries()) ctx.proven(lock, await lock.writeSlot(i + 1, code));
      });
      expect(rig.simulator.physicalSlots(radioId)).toEqual(codes.map((code, i) => ({ slot: i + 1, code })));
      const frames = rig.simulator.frameCount(radioId);
      expect(await lock.writeSlot(slots + 1, "8024")).toMatchObject({ ok: false, failure: "rejected" });
      expect(await lock.writeSlot(0, "8024")).toMatchObject({ ok: false, failure: "rejected" });
      expect(await lock.clearSlot(slots + 1)).toMatchObject({ ok: false, failure: "rejected" });
      expect((await rejection(lock.readSlot(slots + 1))).failure).toBe("rejected");
      expect(rig.simulator.frameCount(radioId)).toBe(frames);
      expect(rig.simulator.physicalSlots(radioId).map((s) => s.code)).toEqual(codes);

      ctx.proven(lock, await lock.clearSlot(2), "clear");
      expect(rig.physical(lock, 2)).toBeNull();
      ctx.proven(lock, await lock.writeSlot(2, "8024"));
      expect(rig.simulator.physicalSlots(radioId).map((s) => s.code)).toEqual(codes.map((c, i) => (i === 1 ? "8024" : c)));
      expect(await lock.readSlot(2)).toEqual({ slot: 2, code: ctx.shown("8024") });
    });

    it('duplicate over the air: failure "duplicate", nothing stored, duplicate_refused for the slot', async () => {
      const radioId = main().identity.radioId;
      expect(rig.physical(main(), 1)).toBe("9753");
      const from = rig.mark();
      const result = await ctx.timed("duplicate write", () => main().writeSlot(3, "9753"));
      expect(result).toMatchObject({ ok: false, failure: "duplicate" });
      expect(rig.physical(main(), 3)).toBeNull();
      expect(await rig.nextEvent("duplicate_refused", radioId, from)).toMatchObject({ slot: 3 });
    });

    it("duplicate at the keypad: duplicate_refused, memory unchanged, no slot change", async () => {
      const radioId = main().identity.radioId;
      const from = rig.mark();
      await rig.simulator.keypadSetCode(radioId, 4, "9753");
      const refused = await rig.nextEvent("duplicate_refused", radioId, from);
      expect(refused.slot).toBe(x.keypadDuplicateNamesSlot ? 4 : null);
      expect(rig.physical(main(), 4)).toBeNull();
      expect(rig.physical(main(), 1)).toBe("9753");
      await settle();
      expect(rig.eventsSince(from, "slot_changed", radioId)).toEqual([]);
    });

    it("keypad unlock: one lock_operation unlocked by keycode with the slot; a wrong PIN opens nothing", async () => {
      const radioId = main().identity.radioId;
      const from = rig.mark();
      expect(await rig.simulator.keypadUnlock(radioId, "9753")).toEqual({ unlocked: true, slot: 1 });
      expect(await rig.nextEvent("lock_operation", radioId, from)).toEqual({ type: "lock_operation", radioId, action: "unlocked", method: "keycode", slot: 1 });
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
      // Digits are shown again (unless the model always hides them).
      expect(await lock.readSlot(1)).toEqual({ slot: 1, code: ctx.shown("1357") });
    });

    it('rejects_codes: the refusal is "rejected" and the lock\'s memory is unchanged', async () => {
      const lock = faulty();
      const radioId = lock.identity.radioId;
      rig.simulator.setFaults(radioId, { rejects_codes: true });
      try {
        expect(await lock.writeSlot(1, "2468")).toMatchObject({ ok: false, failure: "rejected" });
        expect(await lock.writeSlot(3, "2468")).toMatchObject({ ok: false, failure: "rejected" });
        expect(rig.physical(lock, 1)).toBe(x.rewriteClearsFirst ? null : "1357");
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
        const result = await ctx.timed("write to an unresponsive lock", () => lock.writeSlot(4, "6802"));
        expect(result).toMatchObject({ ok: false, failure: "timeout" });
        expect(t["write to an unresponsive lock"]).toBeLessThan(x.silentCallBoundMs);
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
      if (x.offlineNoticed === "at_disconnect") expect(await rig.nextEvent("availability", radioId, from)).toMatchObject({ online: false });
      else expect(rig.eventsSince(from, "availability", radioId)).toEqual([]);
      const result = await ctx.timed("write to a disconnected lock", () => lock.writeSlot(2, "8024"));
      expect(t["write to a disconnected lock"]).toBeLessThan(x.silentCallBoundMs);
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

    doorScenarios(ctx);

    it("restart on the same data dir keeps the locks' memory and radio ids, without reporting slot changes", async () => {
      const ids = new Map(rig.driver!.locks().map((l) => [l.identity.name, l.identity.radioId]));
      const memory = new Map([...ids.values()].map((id) => [id, rig.simulator.physicalSlots(id)]));
      const doorBefore = rig.simulator.physicalDoor(ids.get("Door")!);
      const from = rig.mark();
      await ctx.timed("restart until 6 locks ready", () => rig.restart());
      expect(new Map(rig.driver!.locks().map((l) => [l.identity.name, l.identity.radioId]))).toEqual(ids);
      for (const [id, slots] of memory) expect(rig.simulator.physicalSlots(id)).toEqual(slots);
      expect(await main().readSlot(1)).toEqual({ slot: 1, code: ctx.shown("9753") });
      expect(await main().readSlot(5)).toEqual({ slot: 5, code: ctx.shown("2580") });
      expect(await small().readSlot(2)).toEqual({ slot: 2, code: ctx.shown("8024") });
      expect(main().capabilities().slotCount).toBe(x.slotCount(6));
      expect(rig.eventsSince(from, "slot_changed")).toEqual([]);
      // The bolt and the door stay where they were; the restarted driver reads them and can move the bolt.
      expect(await rig.lock("Door").readLockState()).toEqual({ locked: doorBefore.locked, doorOpen: doorBefore.doorOpen });
      expect(await rig.lock("Door").setLocked(!doorBefore.locked)).toMatchObject({ ok: true });
      // The restarted driver works: a write and a clear.
      ok(await main().writeSlot(6, "5555"));
      ok(await main().clearSlot(6));
    });
  });
}
