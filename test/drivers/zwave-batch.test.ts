// Batched code writes on the real zwave-js Driver, over the production serial path (SerialBackend on the
// TCP-served MockController): a multi-code User Code v2 lock takes several codes per Extended User Code
// Set, sized to its S2 frame budget, each code proven (Supervision; a checksum where the lock hides
// digits); ZW0217 splits a batch; a refused batch falls back to single writes, the duplicate named by
// the lock's notification. And User Code v1 locks, proven by the lock's own "code added" report.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockNodeBehavior } from "@zwave-js/testing";
import { UserCodeCCExtendedUserCodeSet, UserCodeCCGet, UserCodeCCSet, UserCodeCCUserCodeChecksumGet, type CommandClass } from "zwave-js";
import type { LockHandle, RadioResult } from "../../drivers/contract.js";
import { ZWaveLockDriver } from "../../drivers/zwave/driver.js";
import type { ZWaveLockHandle } from "../../drivers/zwave/lock-handle.js";
import { SerialBackend } from "../../drivers/zwave/serial-backend.js";
import { TEST_SECURITY_KEYS, ZWaveTcpBridge } from "../support/zwave-tcp-bridge.js";
import { EventRecorder, recordingLogger, simLock, tempDataDir } from "../support/zwave-harness.js";

const KEYS = TEST_SECURITY_KEYS;
const MULTI = 2;
const MASKED = 3;
const V1_REPORTS = 4;
const V1_SILENT = 5;
const PINS = ["1357", "2468", "3579", "4680", "5791", "6802", "7913", "8024", "9135", "0246", "1470", "2581", "3692", "68027913", "79138024", "80249135", "91350246"];

let data: Awaited<ReturnType<typeof tempDataDir>>;
let bridge: ZWaveTcpBridge;
let driver: ZWaveLockDriver;
const logger = recordingLogger();
const recorder = new EventRecorder();
const locks = new Map<number, ZWaveLockHandle>();
/** User Code commands each mock node received, in order (after S2 and Supervision are unwrapped). */
const received = new Map<number, CommandClass[]>();

beforeAll(async () => {
  data = await tempDataDir();
  bridge = new ZWaveTcpBridge({
    dataDir: `${data.dir}/stick`,
    securityKeys: KEYS,
    locks: [
      { config: simLock({ name: "Multi", slots: 20, checksum: true, multi_code: true }), security: "S2_AccessControl" },
      { config: simLock({ name: "Masked", slots: 12, checksum: true, multi_code: true, masked_readback: true }), security: "S2_AccessControl" },
      { config: simLock({ name: "V1 reports", slots: 10 }), security: "S0_Legacy", userCodeVersion: 1, reportsWrites: true },
      { config: simLock({ name: "V1 silent", slots: 10 }), security: "S0_Legacy", userCodeVersion: 1 },
    ],
  });
  await bridge.start();
  const backend = new SerialBackend({ mode: "serial", port: bridge.url, securityKeys: KEYS, dataDir: `${data.dir}/hub` }, logger);
  driver = new ZWaveLockDriver(backend, logger);
  driver.onEvent(recorder.listener);
  await driver.start();
  for (const lock of await recorder.locksReady(4, 90_000)) locks.set(Number(lock.identity.radioId.split(":")[2]), lock as ZWaveLockHandle);
  for (const nodeId of [MULTI, MASKED, V1_REPORTS, V1_SILENT]) {
    const seen: CommandClass[] = [];
    received.set(nodeId, seen);
    const record: MockNodeBehavior = {
      handleCC(_controller, _self, cc) {
        if (cc instanceof UserCodeCCExtendedUserCodeSet || cc instanceof UserCodeCCSet || cc instanceof UserCodeCCGet || cc instanceof UserCodeCCUserCodeChecksumGet) seen.push(cc);
        return undefined;
      },
    };
    bridge.lock(nodeId).mockNode!.defineBehavior(record);
  }
}, 120_000);

afterAll(async () => {
  await driver?.stop();
  await bridge?.stop();
  const logs = logger.entries.map((e) => `${e.msg ?? ""} ${JSON.stringify(e.obj)}`).join("\n");
  for (const pin of PINS) expect(logs, `PIN ${pin} in a driver log line`).not.toContain(pin);
  await data?.cleanup();
});

const lock = (nodeId: number): LockHandle => locks.get(nodeId)!;
const held = (nodeId: number, slot: number) => bridge.physicalSlots(nodeId)[slot - 1]!.code;
/** What `nodeId` receives while `work` runs, by command. */
async function traffic<T>(nodeId: number, work: () => Promise<T>): Promise<{ result: T; sets: number[][]; gets: number; checksumGets: number }> {
  const seen = received.get(nodeId)!;
  const from = seen.length;
  const result = await work();
  const during = seen.slice(from);
  return {
    result,
    sets: during.flatMap((cc) => (cc instanceof UserCodeCCExtendedUserCodeSet ? [cc.userCodes.map((c) => c.userId)] : cc instanceof UserCodeCCSet ? [[cc.userId]] : [])),
    gets: during.filter((cc) => cc instanceof UserCodeCCGet).length,
    checksumGets: during.filter((cc) => cc instanceof UserCodeCCUserCodeChecksumGet).length,
  };
}
const proofs = (results: readonly RadioResult[]) => results.map((r) => (r.ok ? r.proof : r.failure));

describe("batched writes on a multi-code User Code v2 lock (S2)", () => {
  it("reports how many codes one frame carries: the S2 + Supervision budget, as frame-budget.ts computes it", () => {
    expect(lock(MULTI).capabilities().multiCodeWrite).toEqual({ budgetBytes: 30, batchBytes: 1, codeBytes: 4, maxCodes: 255 });
    // A v1 lock takes one code per frame.
    expect(lock(V1_REPORTS).capabilities().multiCodeWrite).toBeUndefined();
  });

  it("three 4-digit codes go in one Extended User Code Set, each proven by its Supervision report", async () => {
    const { result, sets, gets } = await traffic(MULTI, () => lock(MULTI).writeSlots([{ slot: 1, code: "1357" }, { slot: 2, code: "2468" }, { slot: 3, code: "3579" }]));
    expect(proofs(result)).toEqual(["supervision", "supervision", "supervision"]);
    expect(sets).toEqual([[1, 2, 3]]);
    expect(gets).toBe(0);
    expect([held(MULTI, 1), held(MULTI, 2), held(MULTI, 3)]).toEqual(["1357", "2468", "3579"]);
    expect(recorder.events.filter((e) => e.type === "slot_changed")).toEqual([]);
  });

  it("a duplicate inside: the lock refuses the batch and names the slot; the others are written one by one", async () => {
    const from = recorder.events.length;
    const { result, sets } = await traffic(MULTI, () => lock(MULTI).writeSlots([{ slot: 4, code: "4680" }, { slot: 5, code: "1357" }, { slot: 6, code: "5791" }]));
    expect(result[1]).toEqual({ ok: false, failure: "duplicate", message: "the lock refused the code: the same PIN is in another slot" });
    expect(proofs(result)).toEqual(["supervision", "duplicate", "supervision"]);
    // The batch, then the two codes the notification did not name, never the duplicate again.
    expect(sets).toEqual([[4, 5, 6], [4], [6]]);
    expect([held(MULTI, 4), held(MULTI, 5), held(MULTI, 6)]).toEqual(["4680", null, "5791"]);
    expect(recorder.events.slice(from).filter((e) => e.type === "duplicate_refused")).toEqual([{ type: "duplicate_refused", radioId: lock(MULTI).identity.radioId, slot: 5 }]);
  });

  it("a batch larger than the frame: zwave-js says ZW0217 before anything is sent, the batch is split, never retried whole", async () => {
    const codes = ["68027913", "79138024", "80249135", "91350246"];
    const writes = codes.map((code, i) => ({ slot: 7 + i, code }));
    const handle = locks.get(MULTI)!;
    const tried = handle.batches.batchesSent;
    const { result, sets } = await traffic(MULTI, () => handle.writeSlots(writes));
    expect(proofs(result)).toEqual(["supervision", "supervision", "supervision", "supervision"]);
    // 1 + 4 x 12 = 49 bytes > 30: halves of 25 bytes each went on the air.
    expect(sets).toEqual([[7, 8], [9, 10]]);
    expect(handle.batches.batchesSent - tried).toBe(3);
    expect(bridge.physicalSlots(MULTI).slice(6, 10).map((s) => s.code)).toEqual(codes);
  });

  it("a batch whose Supervision fails without naming a slot is written again code by code", async () => {
    let refuseNext = true;
    const refuseOneBatch: MockNodeBehavior = {
      handleCC(_c, _self, cc) {
        if (!(cc instanceof UserCodeCCExtendedUserCodeSet) || cc.userCodes.length < 2 || !refuseNext) return undefined;
        refuseNext = false;
        received.get(MULTI)!.push(cc); // it answers ahead of the recorder
        return { action: "fail" };
      },
    };
    bridge.lock(MULTI).mockNode!.defineBehavior(refuseOneBatch);
    const { result, sets } = await traffic(MULTI, () => lock(MULTI).writeSlots([{ slot: 11, code: "0246" }, { slot: 12, code: "1470" }]));
    expect(proofs(result)).toEqual(["supervision", "supervision"]);
    expect(sets).toEqual([[11, 12], [11], [12]]);
    expect([held(MULTI, 11), held(MULTI, 12)]).toEqual(["0246", "1470"]);
  });

  it("codes that cannot go (slot out of range) fail before any radio traffic; the rest still go as a batch", async () => {
    const { result, sets } = await traffic(MULTI, () => lock(MULTI).writeSlots([{ slot: 13, code: "2581" }, { slot: 99, code: "3692" }, { slot: 14, code: "3692" }]));
    expect(proofs(result)).toEqual(["supervision", "rejected", "supervision"]);
    expect(sets).toEqual([[13, 14]]);
  });
});

describe("a multi-code lock that hides digits", () => {
  const believedEmpty = (slot: number) => (slot <= 2 ? ({ 1: "1357", 2: "2468" } as Record<number, string>)[slot]! : null);

  it("one checksum read proves the batch when every other slot is known", async () => {
    // A real lock's masking is learned from a read of an occupied slot (zwave-js's value DB does not say).
    expect(await lock(MASKED).writeSlot(12, "3692")).toEqual({ ok: true, proof: "supervision" });
    expect(await lock(MASKED).readSlot(12)).toEqual({ slot: 12, code: undefined });
    expect(lock(MASKED).capabilities().readback).toBe("status_only");
    expect(await lock(MASKED).clearSlot(12)).toEqual({ ok: true, proof: "status" });
    const first = await lock(MASKED).writeSlots([{ slot: 1, code: "1357" }, { slot: 2, code: "2468" }], { believed: () => null });
    expect(proofs(first)).toEqual(["checksum", "checksum"]);
    const { result, sets, gets, checksumGets } = await traffic(MASKED, () =>
      lock(MASKED).writeSlots([{ slot: 3, code: "3579" }, { slot: 4, code: "4680" }, { slot: 5, code: "5791" }], { believed: believedEmpty }),
    );
    expect(proofs(result)).toEqual(["checksum", "checksum", "checksum"]);
    expect({ sets, gets, checksumGets }).toEqual({ sets: [[3, 4, 5]], gets: 0, checksumGets: 1 });
    expect(bridge.physicalSlots(MASKED).slice(0, 5).map((s) => s.code)).toEqual(["1357", "2468", "3579", "4680", "5791"]);
  });

  it("a slot it cannot know (or a checksum that differs) means each code is read back: status only", async () => {
    const from = recorder.events.length;
    const unknown = await traffic(MASKED, () => lock(MASKED).writeSlots([{ slot: 6, code: "6802" }, { slot: 7, code: "7913" }], { believed: (s) => (s === 1 ? undefined : null) }));
    expect(proofs(unknown.result)).toEqual(["status", "status"]);
    expect({ gets: unknown.gets, checksumGets: unknown.checksumGets }).toEqual({ gets: 2, checksumGets: 0 });
    // Believing slots 1..7 empty is wrong: the checksum read disagrees, and reads decide.
    const wrong = await traffic(MASKED, () => lock(MASKED).writeSlots([{ slot: 8, code: "8024" }, { slot: 9, code: "9135" }], { believed: () => null }));
    expect(proofs(wrong.result)).toEqual(["status", "status"]);
    expect({ gets: wrong.gets, checksumGets: wrong.checksumGets }).toEqual({ gets: 2, checksumGets: 1 });
    // Those reads are the driver's own: no slot change is reported for them.
    expect(recorder.events.slice(from).filter((e) => e.type === "slot_changed")).toEqual([]);
  });
});

describe("User Code v1 locks (no Supervision)", () => {
  it("a lock that reports its writes (Access Control 'new user code added'): proven by that report, no read-back, no slot change", async () => {
    const from = recorder.events.length;
    // The first write teaches the driver that the lock reports (it may still have been read back).
    const first = await traffic(V1_REPORTS, () => lock(V1_REPORTS).writeSlot(5, "5791"));
    expect(first.result).toMatchObject({ ok: true, proof: expect.stringMatching(/^(notification|readback)$/) });
    expect(first.gets).toBe(first.result.ok && first.result.proof === "readback" ? 1 : 0);
    const { result, sets, gets } = await traffic(V1_REPORTS, async () => [await lock(V1_REPORTS).writeSlot(1, "1357"), await lock(V1_REPORTS).writeSlot(2, "2468")]);
    expect(proofs(result)).toEqual(["notification", "notification"]);
    expect({ sets, gets }).toEqual({ sets: [[1], [2]], gets: 0 });
    expect([held(V1_REPORTS, 1), held(V1_REPORTS, 2)]).toEqual(["1357", "2468"]);
    await new Promise((r) => setTimeout(r, 200));
    expect(recorder.events.slice(from).filter((e) => e.type === "slot_changed")).toEqual([]);
  });

  it("one such report answers one write: the same report again (the keypad, right after) is a keypad change", async () => {
    const from = recorder.events.length;
    const node = bridge.lock(V1_REPORTS);
    const { accessControlReport } = await import("../../drivers/zwave/sim/mock-behaviors.js");
    const { sendFromLock } = await import("../../drivers/zwave/sim/secure-send.js");
    await sendFromLock(node.mockNode!, accessControlReport(1, 0x0e, 2));
    expect(await recorder.waitFor((e) => e.type === "slot_changed", 5_000, from)).toMatchObject({ slot: 2, cause: "keypad_added" });
  });

  it("a lock that sends no report is read back: one Get per write", async () => {
    const { result, sets, gets } = await traffic(V1_SILENT, async () => [await lock(V1_SILENT).writeSlot(1, "1357"), await lock(V1_SILENT).writeSlot(2, "2468")]);
    expect(proofs(result)).toEqual(["readback", "readback"]);
    expect({ sets, gets }).toEqual({ sets: [[1], [2]], gets: 2 });
  });

  it("writeSlots on a v1 lock writes one code per frame, each proven as a single write", async () => {
    const { result, sets } = await traffic(V1_REPORTS, () => lock(V1_REPORTS).writeSlots([{ slot: 3, code: "3579" }, { slot: 4, code: "4680" }]));
    expect(proofs(result)).toEqual(["notification", "notification"]);
    expect(sets).toEqual([[3], [4]]);
  });
});
