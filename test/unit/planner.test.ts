import { describe, expect, it } from "vitest";
import { plan, type PlanInput } from "../../agent/reconcile/planner.js";
import { SettledCodes } from "../../agent/reconcile/settled-codes.js";
import { isRadioStep, type Step } from "../../agent/reconcile/steps.js";
import type { CodeRecord, LockOperationRecord, LockRecord, SlotRecord, UnmanagedRecord } from "../../agent/store/records.js";
import { at, caps, codeRecord, lockRecord, operationRecord, slotRecord, T0, unmanagedRecord } from "../support/records.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const policy = { programAheadMs: 10 * MIN, nativeAheadMs: 72 * 60 * MIN, delayWarningMs: 2 * MIN, failureMs: 15 * MIN };

function summarise(s: Step): string {
  switch (s.kind) {
    case "write_slot":
      return `write#${s.slot}${s.schedule ? "+schedule" : ""}`;
    case "write_slots":
      return `writes#${s.writes.map((w) => w.slot).join(",")}`;
    case "clear_slot":
    case "read_slot":
    case "claim_slot":
      return `${s.kind.split("_")[0]}#${s.slot}`;
    case "set_status":
      return `status:${s.status}`;
    case "raise_issue":
      return `raise:${s.issue.code}`;
    case "clear_issue":
      return `clear:${s.code}`;
    case "emit":
      return `emit:${s.type.replace("access_code.", "")}`;
    case "operate_lock":
      return s.locked ? "lock" : "unlock";
    case "fail_operation":
      return `fail:${s.error.type}`;
    default:
      return s.kind;
  }
}

interface Row {
  name: string;
  now?: number;
  lock?: Partial<LockRecord>;
  codes: Array<Partial<CodeRecord>>;
  slots?: Array<[number, string | null, Partial<SlotRecord>?]>;
  unmanaged?: Array<[number, string]>;
  /** Pending LOCK_DOOR / UNLOCK_DOOR attempts, oldest first. */
  operations?: Array<Partial<LockOperationRecord>>;
  /** The lock's radio is up in this run (default true). */
  attached?: boolean;
  expect: string[];
  wakeAt?: number | null;
}

const full = (n: number): Array<[number, string]> => Array.from({ length: n }, (_, i) => [i + 1, `90${i}1`] as [number, string]);
const future = (ms: number) => at(ms);
const native = { lock: { capabilities: caps({ supportsNativeSchedule: true }) } };
/** A multi-code lock with the S2 frame budget: 3 codes of 4-5 digits or 2 of 6-10 fit one write. */
const S2_BUDGET = { budgetBytes: 30, batchBytes: 1, codeBytes: 4, maxCodes: 255 };
const multi = (over: Parameters<typeof caps>[0] = {}) => ({ lock: { capabilities: caps({ slotCount: 10, multiCodeWrite: S2_BUDGET, ...over }) } });

const rows: Row[] = [
  { name: "new ongoing code on an empty lock: claim the first slot and write", codes: [{}], expect: ["claim#1", "write#1"] },
  { name: "skips a slot holding an unmanaged code", codes: [{}], unmanaged: [[1, "1111"]], slots: [[1, "1111"]], expect: ["claim#2", "write#2"] },
  { name: "skips a slot observed occupied", codes: [{}], slots: [[1, "7777"]], expect: ["claim#2", "write#2"] },
  { name: "never takes a slot another managed code owns", codes: [{ slot: 1, status: "set", wasOnLock: true }, { code: "5555" }], slots: [[1, "4821"]], expect: ["claim#2", "write#2"] },
  { name: "two new codes claim distinct slots", codes: [{}, { code: "6060" }], expect: ["claim#1", "write#1", "claim#2", "write#2"] },
  { name: "full lock: raise no_space on the waiting code", codes: [{}], unmanaged: full(5), slots: full(5), expect: ["raise:no_space_for_access_code_on_device"] },
  {
    name: "full lock with no_space already shown: nothing to do",
    codes: [{ errors: [{ level: "error", code: "no_space_for_access_code_on_device", message: "", createdAt: at(0) }] }],
    unmanaged: full(5),
    slots: full(5),
    expect: [],
  },
  {
    name: "slot freed: clear no_space and program at once",
    codes: [{ errors: [{ level: "error", code: "no_space_for_access_code_on_device", message: "", createdAt: at(0) }] }],
    unmanaged: full(4),
    slots: full(4),
    expect: ["clear:no_space_for_access_code_on_device", "claim#5", "write#5"],
  },
  { name: "write confirmed: set and announce set_on_device", codes: [{ slot: 1 }], slots: [[1, "4821"]], expect: ["status:set", "emit:set_on_device"] },
  { name: "set and matching: nothing to do", codes: [{ slot: 1, status: "set", wasOnLock: true }], slots: [[1, "4821"]], expect: [] },
  { name: "masked slot the hub proved by status counts as holding the code", codes: [{ slot: 1 }], slots: [[1, "4821", { masked: true }]], expect: ["status:set", "emit:set_on_device"] },
  { name: "set code found cleared: back to setting", codes: [{ slot: 1, status: "set", wasOnLock: true }], slots: [[1, null]], expect: ["status:setting"] },
  { name: "setting code with a different value in its slot: rewrite", codes: [{ slot: 1 }], slots: [[1, "9999"]], expect: ["write#1"] },
  {
    name: "restored after external change: clear the error and announce",
    codes: [{ slot: 1, wasOnLock: true, errors: [{ level: "error", code: "code_modified_external_to_seam", message: "", createdAt: at(0) }] }],
    slots: [[1, "4821"]],
    expect: ["status:set", "clear:code_modified_external_to_seam", "emit:set_on_device"],
  },
  { name: "still setting after the delay threshold: warn once, keep trying", now: T0 + 3 * MIN, codes: [{ slot: 1 }], slots: [[1, null]], expect: ["raise:delay_in_setting_on_device", "emit:delay_in_setting_on_device", "write#1"] },
  {
    name: "delay warning already shown: just retry",
    now: T0 + 3 * MIN,
    codes: [{ slot: 1, warnings: [{ level: "warning", code: "delay_in_setting_on_device", message: "", createdAt: at(0) }] }],
    slots: [[1, null]],
    expect: ["write#1"],
  },
  {
    name: "past failure_after_ms: give up with failed_to_set_on_device",
    now: T0 + 16 * MIN,
    codes: [{ slot: 1, warnings: [{ level: "warning", code: "delay_in_setting_on_device", message: "", createdAt: at(0) }] }],
    slots: [[1, null]],
    expect: ["clear:delay_in_setting_on_device", "raise:failed_to_set_on_device", "give_up", "emit:failed_to_set_on_device"],
  },
  { name: "a code the hub gave up on is left alone", codes: [{ slot: 1, gaveUp: true }], slots: [[1, null]], expect: [] },
  { name: "backing off after a timeout: wait for next_attempt_at", codes: [{ slot: 1, nextAttemptAt: T0 + 5000 }], slots: [[1, null]], expect: [], wakeAt: T0 + 5000 },
  { name: "offline lock: claim the slot but send nothing", lock: { online: false }, codes: [{}], expect: ["claim#1"] },
  { name: "removed lock: nothing at all", lock: { removed: true }, codes: [{}], expect: [], wakeAt: null },
  { name: "delete of a set code: removing first", codes: [{ slot: 1, status: "set", wasOnLock: true, desired: "absent" }], slots: [[1, "4821"]], expect: ["status:removing"] },
  { name: "removing: clear the slot", codes: [{ slot: 1, status: "removing", wasOnLock: true, desired: "absent" }], slots: [[1, "4821"]], expect: ["clear#1"] },
  {
    name: "removing confirmed: release, removed_from_device, delete",
    codes: [{ slot: 1, status: "removing", wasOnLock: true, desired: "absent" }],
    slots: [[1, null]],
    expect: ["release_slot", "emit:removed_from_device", "finish_delete"],
  },
  { name: "delete of a code never on the lock: no removed_from_device", codes: [{ desired: "absent" }], expect: ["finish_delete"] },
  {
    name: "removing past the delay threshold: warn and keep clearing",
    now: T0 + 3 * MIN,
    codes: [{ slot: 1, status: "removing", wasOnLock: true, desired: "absent" }],
    slots: [[1, "4821"]],
    expect: ["raise:delay_in_removing_from_device", "emit:delay_in_removing_from_device", "clear#1"],
  },
  { name: "time-bound code before its program time: wait", codes: [{ status: "unset", startsAt: future(3600_000), endsAt: future(7200_000) }], expect: [], wakeAt: T0 + 3600_000 - 10 * MIN },
  {
    name: "time-bound code inside program_ahead: program it",
    codes: [{ status: "unset", startsAt: future(5 * MIN), endsAt: future(3600_000) }],
    expect: ["open_window", "claim#1", "status:setting", "write#1"],
  },
  { name: "window ended: expire", codes: [{ slot: 1, status: "set", wasOnLock: true, startsAt: future(-3600_000), endsAt: future(-1) }], slots: [[1, "4821"]], expect: ["expire"] },
  {
    name: "expired code still on the lock: removing",
    codes: [{ slot: 1, status: "set", wasOnLock: true, desired: "absent", startsAt: future(-3600_000), endsAt: future(-1) }],
    slots: [[1, "4821"]],
    expect: ["status:removing"],
  },
  { name: "native schedule: program 72 h ahead with the window", ...native, codes: [{ status: "unset", startsAt: future(24 * 60 * MIN), endsAt: future(48 * 60 * MIN) }], expect: ["open_window", "claim#1", "status:setting", "write#1+schedule"] },
  {
    name: "native schedule on the lock before start: unset and scheduled_on_device",
    ...native,
    codes: [{ slot: 1, windowOpened: true, startsAt: future(60 * MIN), endsAt: future(120 * MIN) }],
    slots: [[1, "4821", { schedule: { startsAt: future(60 * MIN), endsAt: future(120 * MIN) } }]],
    expect: ["status:unset", "emit:scheduled_on_device"],
    wakeAt: T0 + 60 * MIN,
  },
  {
    name: "native schedule reaches starts_at: set and set_on_device",
    ...native,
    now: T0 + 61 * MIN,
    codes: [{ slot: 1, status: "unset", wasOnLock: true, windowOpened: true, isScheduledOnDevice: true, startsAt: future(60 * MIN), endsAt: future(120 * MIN) }],
    slots: [[1, "4821", { schedule: { startsAt: future(60 * MIN), endsAt: future(120 * MIN) } }]],
    expect: ["status:set", "emit:set_on_device"],
  },
  { name: "prefer_native_scheduling false: just in time even on a scheduling lock", ...native, codes: [{ status: "unset", preferNativeScheduling: false, startsAt: future(24 * 60 * MIN), endsAt: future(48 * 60 * MIN) }], expect: [] },
  { name: "window moved later while on the lock: clear it until then", codes: [{ slot: 1, status: "set", wasOnLock: true, startsAt: future(3600_000), endsAt: future(7200_000) }], slots: [[1, "4821"]], expect: ["clear#1"] },
  {
    name: "wall clock stepped back after the window opened: the code stays on the lock",
    codes: [{ slot: 1, status: "set", wasOnLock: true, windowOpened: true, startsAt: future(20 * MIN), endsAt: future(3600_000) }],
    slots: [[1, "4821"]],
    expect: [],
  },
  {
    name: "missed transitions run in time order: the earlier end before the later start",
    codes: [
      { code: "5555", status: "unset", startsAt: future(-30 * MIN), endsAt: future(3600_000) },
      { slot: 1, status: "set", wasOnLock: true, windowOpened: true, startsAt: future(-7200_000), endsAt: future(-60 * MIN) },
    ],
    slots: [[1, "4821"]],
    expect: ["expire", "open_window", "claim#2", "status:setting", "write#2"],
  },
  { name: "first sync not done: read an unobserved slot before writing it", lock: { slotsSynced: false }, codes: [{}], expect: ["claim#1", "read#1"] },
  { name: "owned slot never observed on a removing code: read it first", codes: [{ slot: 2, status: "removing", desired: "absent", wasOnLock: true }], expect: ["read#2"] },
  // ---- lock operations (protocol.md §8) ----
  { name: "unlock requested: operate the bolt, wake at its deadline", codes: [], operations: [{}], expect: ["unlock"], wakeAt: T0 + 29_000 },
  { name: "lock and unlock requested: the oldest first, one at a time", codes: [], operations: [{ locked: true }, { locked: false, requestedAt: T0 - 500 }], expect: ["lock"] },
  {
    name: "an operation goes ahead of pending code work, which follows it",
    codes: [{}],
    operations: [{}],
    expect: ["unlock", "claim#1", "write#1"],
  },
  { name: "operation backing off after silence: wait, and later ones wait behind it", codes: [], operations: [{ attempts: 1, nextAttemptAt: T0 + 2000 }, { locked: true }], expect: [], wakeAt: T0 + 2000 },
  { name: "code work proceeds while an operation backs off", codes: [{}], operations: [{ attempts: 1, nextAttemptAt: T0 + 2000 }], expect: ["claim#1", "write#1"], wakeAt: T0 + 2000 },
  { name: "lock known offline: fail the attempt at once (device_offline), the next one too", lock: { online: false }, codes: [], operations: [{}, { locked: true }], expect: ["fail:device_offline", "fail:device_offline"] },
  {
    name: "offline after a timeout: the attempt fails with what the last try said",
    lock: { online: false },
    codes: [],
    operations: [{ attempts: 1, nextAttemptAt: T0 + 2000, lastError: { type: "device_offline", message: "no answer" } }],
    expect: ["fail:device_offline"],
  },
  { name: "radio not up yet: wait until the deadline", lock: { online: false }, attached: false, codes: [], operations: [{}], expect: [], wakeAt: T0 + 29_000 },
  { name: "radio never came up before the deadline: action_attempt_expired", lock: { online: false }, attached: false, now: T0 + 30_000, codes: [], operations: [{}], expect: ["fail:action_attempt_expired"] },
  {
    name: "past the deadline after retries: fail with the last error, never operate late",
    now: T0 + 30_000,
    codes: [],
    operations: [{ attempts: 3, nextAttemptAt: T0 + 29_500, lastError: { type: "lock_jammed", message: "bolt stuck" } }],
    expect: ["fail:lock_jammed"],
  },
  { name: "removed lock: its pending operations fail (device_removed)", lock: { removed: true }, codes: [{}], operations: [{}], expect: ["fail:device_removed"], wakeAt: null },
  // ---- batched writes (multiCodeWrite, plan-batches.ts) ----
  {
    name: "multi-code lock: three new 4-digit codes claim their slots, then go in one write",
    ...multi(),
    codes: [{ code: "1357" }, { code: "2468" }, { code: "3579" }],
    expect: ["claim#1", "claim#2", "claim#3", "writes#1,2,3"],
  },
  {
    name: "multi-code lock: a fourth 4-digit code does not fit the frame; it follows in the next plan",
    ...multi(),
    codes: [{ code: "1357" }, { code: "2468" }, { code: "3579" }, { code: "4680" }],
    expect: ["claim#1", "claim#2", "claim#3", "writes#1,2,3", "claim#4", "write#4"],
  },
  {
    name: "multi-code lock: 6-digit codes go two per write",
    ...multi({ codeLengths: [4, 5, 6] }),
    codes: [{ code: "135791" }, { code: "246802" }, { code: "357913" }],
    expect: ["claim#1", "claim#2", "writes#1,2", "claim#3", "write#3"],
  },
  {
    name: "multi-code lock: lengths mix within the budget (4 + 6 + 4 digits: 27 of 30 bytes)",
    ...multi({ codeLengths: [4, 5, 6] }),
    codes: [{ code: "1357" }, { code: "246802" }, { code: "3579" }, { code: "4680" }],
    expect: ["claim#1", "claim#2", "claim#3", "writes#1,2,3", "claim#4", "write#4"],
  },
  {
    name: "multi-code lock: rewrites of codes already setting batch with new codes",
    ...multi(),
    codes: [{ slot: 1 }, { code: "2468" }],
    slots: [[1, null]],
    expect: ["claim#2", "writes#1,2"],
  },
  {
    name: "multi-code lock: a code backing off stays out of the batch",
    ...multi(),
    codes: [{ code: "1357" }, { slot: 2, code: "2468", nextAttemptAt: T0 + 5000 }, { code: "3579" }],
    slots: [[2, null]],
    expect: ["claim#1", "claim#3", "writes#1,3"],
    wakeAt: T0 + 5000,
  },
  {
    name: "multi-code lock: a removal (planned after ongoing codes) waits behind their batch",
    ...multi(),
    codes: [{ code: "1357" }, { slot: 2, code: "2468", status: "removing", desired: "absent", wasOnLock: true }, { code: "3579" }],
    slots: [[2, "2468"]],
    expect: ["claim#1", "claim#3", "writes#1,3", "clear#2"],
  },
  {
    name: "multi-code lock: a read first (slots not synced yet) is no batch; neither is what follows it",
    ...multi(),
    lock: { slotsSynced: false, capabilities: caps({ slotCount: 10, multiCodeWrite: S2_BUDGET }) },
    codes: [{ code: "1357" }, { code: "2468" }],
    slots: [[2, null]],
    expect: ["claim#1", "read#1", "claim#2", "write#2"],
  },
  {
    name: "multi-code lock: a code with a native window is written on its own, after the plain codes' batch",
    ...multi({ supportsNativeSchedule: true }),
    codes: [{ code: "1357", status: "unset", startsAt: future(24 * 60 * MIN), endsAt: future(48 * 60 * MIN) }, { code: "2468" }, { code: "3579" }],
    expect: ["claim#1", "claim#2", "writes#1,2", "open_window", "claim#3", "status:setting", "write#3+schedule"],
  },
  {
    name: "multi-code lock: an unlock goes ahead of code work; the batch waits for the next plan",
    ...multi(),
    codes: [{ code: "1357" }, { code: "2468" }],
    operations: [{}],
    expect: ["unlock", "claim#1", "write#1", "claim#2", "write#2"],
  },
  {
    name: "multi-code lock offline: slots claimed, nothing sent",
    ...multi(),
    lock: { online: false, capabilities: caps({ slotCount: 10, multiCodeWrite: S2_BUDGET }) },
    codes: [{ code: "1357" }, { code: "2468" }],
    expect: ["claim#1", "claim#2"],
  },
];

describe("planner", () => {
  it.each(rows)("$name", (row) => {
    const lock = lockRecord(row.lock);
    const input: PlanInput = {
      now: row.now ?? T0,
      lock,
      codes: row.codes.map((c) => codeRecord(c)),
      slots: new Map((row.slots ?? []).map(([s, code, over]) => [s, slotRecord(s, code, over)])),
      unmanaged: (row.unmanaged ?? []).map(([s, code]) => unmanagedRecord(s, code) as UnmanagedRecord),
      policy,
      ...(row.operations ? { operations: row.operations.map((o) => operationRecord(o)) } : {}),
      ...(row.attached !== undefined ? { attached: row.attached } : {}),
    };
    const result = plan(input);
    expect(result.steps.map(summarise)).toEqual(row.expect);
    if (row.wakeAt !== undefined) expect(result.wakeAt).toBe(row.wakeAt);
    // What the executor asks for: the same plan, cut after its first radio step.
    const first = result.steps.findIndex(isRadioStep);
    const cut = plan({ ...input, untilFirstRadioStep: true });
    expect(cut.steps).toEqual(first < 0 ? result.steps : result.steps.slice(0, first + 1));
    if (first < 0) expect(cut.wakeAt).toBe(result.wakeAt);
    // Remembering settled codes changes nothing: not when planned, not when answered from memory, not
    // once the clock passes a remembered code's wakes.
    const settled = new SettledCodes();
    for (const later of [0, 0, MIN, 3 * MIN, 16 * MIN, 2 * HOUR, DAY, 100 * DAY]) {
      const then = { ...input, now: input.now + later };
      expect(plan({ ...then, settled })).toEqual(plan(then));
      expect(plan({ ...then, settled, untilFirstRadioStep: true })).toEqual(plan({ ...then, untilFirstRadioStep: true }));
    }
  });

  it("remembers a settled code until its record, lock, slot or next wake changes it", () => {
    const settled = new SettledCodes();
    const lock = lockRecord();
    const code = codeRecord({ slot: 1, status: "set", wasOnLock: true, endsAt: at(HOUR) });
    const slot = slotRecord(1, code.code);
    const input: PlanInput = { now: T0, lock, codes: [code], slots: new Map([[1, slot]]), unmanaged: [], policy, settled };
    expect(plan(input)).toEqual({ steps: [], wakeAt: T0 + HOUR });
    expect(settled.wakesOf(code, lock, slot, policy, T0 + MIN)).toEqual([T0 + HOUR]);
    // Its end: no longer settled, and the plan expires it.
    expect(settled.wakesOf(code, lock, slot, policy, T0 + HOUR)).toBeUndefined();
    expect(plan({ ...input, now: T0 + HOUR }).steps.map(summarise)).toEqual(["expire"]);
    // Changed at the keypad: a new slot record, planned afresh.
    const changed = slotRecord(1, "9999");
    expect(settled.wakesOf(code, lock, changed, policy, T0)).toBeUndefined();
    expect(plan({ ...input, slots: new Map([[1, changed]]) })).toEqual(plan({ ...input, slots: new Map([[1, changed]]), settled: undefined }));
    expect(settled.wakesOf(code, { ...lock }, slot, policy, T0)).toBeUndefined();
    expect(settled.wakesOf({ ...code }, lock, slot, policy, T0)).toBeUndefined();
  });

  it("has at least 30 cases", () => expect(rows.length).toBeGreaterThanOrEqual(30));

  it("is pure: the same input twice gives the same plan", () => {
    const input: PlanInput = { now: T0, lock: lockRecord(), codes: [codeRecord({})], slots: new Map(), unmanaged: [], policy };
    expect(plan(input)).toEqual(plan(input));
  });
});
