import { endTime, programTime, startTime, usesNativeSchedule } from "../codes/timing.js";
import type { CodeRecord, CodeStatus, LockOperationRecord, LockRecord, SlotRecord, UnmanagedRecord } from "../store/records.js";
import { batchMayGrow, gatherBatch } from "./plan-batches.js";
import { planOperations } from "./plan-operations.js";
import type { SettledCodes } from "./settled-codes.js";
import { isRadioStep, type IssueSpec, type Plan, type Step } from "./steps.js";

export interface ReconcilePolicy {
  readonly programAheadMs: number;
  readonly nativeAheadMs: number;
  readonly delayWarningMs: number;
  readonly failureMs: number;
}

export interface PlanInput {
  readonly now: number;
  readonly lock: LockRecord;
  readonly codes: readonly CodeRecord[];
  readonly slots: ReadonlyMap<number, SlotRecord>;
  readonly unmanaged: readonly UnmanagedRecord[];
  readonly policy: ReconcilePolicy;
  /**
   * Stop at the first radio step (grown into a batch where the lock takes several codes per write). The
   * executor applies the store steps before it, runs it, and plans again, so the rest of the plan would be
   * thrown away; the steps up to it are the same either way. `wakeAt` then only covers the codes looked at.
   */
  readonly untilFirstRadioStep?: boolean;
  /** Remembered settled codes (see SettledCodes); the plan is the same with or without it. */
  readonly settled?: SettledCodes;
  /** Pending LOCK_DOOR / UNLOCK_DOOR attempts of this lock, oldest first (plan-operations.ts). */
  readonly operations?: readonly LockOperationRecord[];
  /** The lock's radio has brought it up in this run (the executor has a handle); default true. */
  readonly attached?: boolean;
}

const NO_SPACE: IssueSpec = { level: "error", code: "no_space_for_access_code_on_device", message: "Every slot on the lock is in use; the code will be programmed as soon as a slot frees." };
const DELAY_SET: IssueSpec = { level: "warning", code: "delay_in_setting_on_device", message: "The lock has not confirmed this code yet." };
const DELAY_REMOVE: IssueSpec = { level: "warning", code: "delay_in_removing_from_device", message: "The lock has not confirmed removing this code yet." };
const FAILED_SET: IssueSpec = { level: "error", code: "failed_to_set_on_device", message: "The lock did not accept this code in time; update the code to try again." };
const FAILED_REMOVE: IssueSpec = { level: "error", code: "failed_to_remove_from_device", message: "The lock did not confirm removing this code in time." };

const hasIssue = (c: CodeRecord, code: string) => c.errors.some((i) => i.code === code) || c.warnings.some((i) => i.code === code);
const occupied = (s: SlotRecord | undefined) => s !== undefined && (s.code !== null || s.masked);

/** Whether the slot holds exactly what the hub wants there (code and window). */
function holds(slot: SlotRecord | undefined, code: CodeRecord, schedule: { startsAt: string; endsAt: string } | null): boolean {
  if (!slot || slot.code !== code.code) return false;
  if (!schedule) return slot.schedule === null;
  return slot.schedule?.startsAt === schedule.startsAt && slot.schedule?.endsAt === schedule.endsAt;
}

/**
 * plan(desired codes, observed slots, lock capabilities, policy, now) -> steps. Pure: no I/O, no clock.
 * The executor applies every store step, runs the first radio step, records what the lock said, and plans again.
 * On a lock that takes several codes per write, the first radio step carries as many plain writes as fit.
 */
export function plan(input: PlanInput): Plan {
  const planned = planSteps(input);
  const steps = gatherBatch(planned.steps, input.lock.capabilities.multiCodeWrite);
  if (!input.untilFirstRadioStep) return { steps, wakeAt: planned.wakeAt };
  const first = steps.findIndex(isRadioStep);
  return { steps: first < 0 ? steps : steps.slice(0, first + 1), wakeAt: planned.wakeAt };
}

function planSteps(input: PlanInput): Plan {
  const { now, lock, policy } = input;
  const steps: Step[] = [];
  const wakes: number[] = [];
  // Lock operations first: someone is waiting at the door; code work can wait one radio command.
  if (input.operations?.length) planOperations(input.operations, lock, input.attached ?? true, now, steps, wakes);
  if (lock.removed) return { steps, wakeAt: null };
  const radioOk = lock.online;

  const owned = new Set<number>();
  for (const c of input.codes) if (c.slot !== null) owned.add(c.slot);
  const foreign = new Set(input.unmanaged.map((u) => u.slot));
  // The lowest free slot. Everything that makes a slot unavailable is fixed for this pass, and each
  // slot handed out is claimed at once, so the search resumes where it stopped: one sweep per plan.
  let searchFrom = 1;
  const freeSlot = (): number | null => {
    for (let s = searchFrom; s <= lock.capabilities.slotCount; s++) {
      if (owned.has(s) || foreign.has(s) || occupied(input.slots.get(s))) continue;
      searchFrom = s + 1;
      return s;
    }
    searchFrom = lock.capabilities.slotCount + 1;
    return null;
  };

  const setStatus = (c: CodeRecord, status: CodeStatus, extra: { scheduledOnDevice?: boolean; onLock?: boolean } = {}) => {
    if (c.status !== status || (extra.scheduledOnDevice !== undefined && extra.scheduledOnDevice !== c.isScheduledOnDevice)) steps.push({ kind: "set_status", accessCodeId: c.accessCodeId, status, ...extra });
  };
  const raise = (c: CodeRecord, issue: IssueSpec) => {
    if (!hasIssue(c, issue.code)) steps.push({ kind: "raise_issue", accessCodeId: c.accessCodeId, issue });
  };
  const clear = (c: CodeRecord, ...codes: string[]) => {
    for (const code of codes) if (hasIssue(c, code)) steps.push({ kind: "clear_issue", accessCodeId: c.accessCodeId, code });
  };
  /** Delay warning, then give up: shared by setting and removing. Returns true when the hub gave up. */
  const watchDelay = (c: CodeRecord, delay: IssueSpec, failed: IssueSpec, failedEvent: "access_code.failed_to_set_on_device" | "access_code.failed_to_remove_from_device", delayEvent: "access_code.delay_in_setting_on_device" | "access_code.delay_in_removing_from_device") => {
    const started = c.attemptStartedAt ?? now;
    if (now - started >= policy.failureMs) {
      clear(c, delay.code);
      raise(c, failed);
      steps.push({ kind: "give_up", accessCodeId: c.accessCodeId }, { kind: "emit", type: failedEvent, accessCodeId: c.accessCodeId });
      return true;
    }
    if (now - started >= policy.delayWarningMs) {
      if (!hasIssue(c, delay.code)) {
        raise(c, delay);
        steps.push({ kind: "emit", type: delayEvent, accessCodeId: c.accessCodeId });
      }
    } else wakes.push(started + policy.delayWarningMs);
    wakes.push(started + policy.failureMs);
    return false;
  };

  // Chronological order of each code's next transition, so transitions missed while the hub was off run in order.
  const nextTransition = (c: CodeRecord) => (c.desired === "present" && !c.windowOpened ? Math.min(programTime(c, lock, policy), endTime(c)) : endTime(c));
  const codes = input.codes;
  const keys = codes.map(nextTransition);
  // Plain comparisons: keys are often ±Infinity (ongoing codes), where subtraction gives NaN.
  const before = (a: number, b: number) => {
    const ka = keys[a]!;
    const kb = keys[b]!;
    if (ka !== kb) return ka < kb ? -1 : 1;
    const ca = codes[a]!.createdAt;
    const cb = codes[b]!.createdAt;
    return ca < cb ? -1 : ca > cb ? 1 : a - b;
  };
  // Codes arrive in creation order, which is often already this order (ongoing codes): sort only when not.
  let sorted = true;
  for (let i = 1; i < codes.length && sorted; i++) sorted = before(i - 1, i) <= 0;
  const ordered = sorted ? codes : codes.map((_, i) => i).sort(before).map((i) => codes[i]!);
  // Where the first radio step is; planning stops there, unless it is a batch that can still take more.
  let firstRadio = -1;
  let scanned = 0;
  const limits = lock.capabilities.multiCodeWrite;
  const stopHere = () => {
    for (; firstRadio < 0 && scanned < steps.length; scanned++) if (isRadioStep(steps[scanned]!)) firstRadio = scanned;
    return firstRadio >= 0 && !batchMayGrow(steps, firstRadio, limits);
  };
  /** One code's steps and wakes; returns early wherever a step asks to plan again first. */
  const planCode = (c: CodeRecord, obs: SlotRecord | undefined): void => {
    const end = endTime(c);
    if (c.desired === "present" && now >= end) {
      steps.push({ kind: "expire", accessCodeId: c.accessCodeId });
      return;
    }
    if (c.desired === "present" && c.gaveUp) return;
    const native = usesNativeSchedule(c, lock);
    const schedule = native ? { startsAt: c.startsAt!, endsAt: c.endsAt! } : null;
    const at = programTime(c, lock, policy);
    if (c.desired === "present" && !c.windowOpened && c.startsAt && now >= at) steps.push({ kind: "open_window", accessCodeId: c.accessCodeId });
    const wantOnLock = c.desired === "present" && (now >= at || c.windowOpened);
    if (c.desired === "present" && !wantOnLock) wakes.push(at);
    if (c.desired === "present" && Number.isFinite(end)) wakes.push(end);

    if (wantOnLock) {
      if (c.slot === null) {
        const slot = freeSlot();
        if (slot === null) {
          setStatus(c, "setting");
          raise(c, NO_SPACE);
          return;
        }
        clear(c, NO_SPACE.code);
        steps.push({ kind: "claim_slot", accessCodeId: c.accessCodeId, slot });
        if (!input.slots.has(slot) && !lock.slotsSynced) {
          if (radioOk) steps.push({ kind: "read_slot", slot });
          return;
        }
        setStatus(c, "setting");
        if (radioOk) steps.push({ kind: "write_slot", accessCodeId: c.accessCodeId, slot, code: c.code, schedule });
        return;
      }
      if (holds(obs, c, schedule)) {
        const target: CodeStatus = native && now < startTime(c) ? "unset" : "set";
        if (native && now < startTime(c)) wakes.push(startTime(c));
        const wasSet = c.status === "set";
        setStatus(c, target, { onLock: true, scheduledOnDevice: native });
        clear(c, DELAY_SET.code, NO_SPACE.code);
        // Restored: the error goes. An adopted change (allowed) keeps its warning.
        if (c.errors.some((i) => i.code === "code_modified_external_to_seam")) steps.push({ kind: "clear_issue", accessCodeId: c.accessCodeId, code: "code_modified_external_to_seam", level: "error" });
        if (native && !c.isScheduledOnDevice) steps.push({ kind: "emit", type: "access_code.scheduled_on_device", accessCodeId: c.accessCodeId, withCode: true });
        if (target === "set" && !wasSet) steps.push({ kind: "emit", type: "access_code.set_on_device", accessCodeId: c.accessCodeId, withCode: true });
        return;
      }
      if (c.status !== "setting") {
        setStatus(c, "setting");
        return; // the attempt clock starts with this status; plan again from there
      }
      if (watchDelay(c, DELAY_SET, FAILED_SET, "access_code.failed_to_set_on_device", "access_code.delay_in_setting_on_device")) return;
      if (c.nextAttemptAt !== null && c.nextAttemptAt > now) {
        wakes.push(c.nextAttemptAt);
        return;
      }
      if (radioOk) steps.push({ kind: "write_slot", accessCodeId: c.accessCodeId, slot: c.slot, code: c.code, schedule });
      return;
    }

    // The code must not be on the lock: before its window, deleted, or expired.
    if (c.slot !== null && (obs === undefined || occupied(obs))) {
      // A deleted code is removing from the moment it may be on the lock, also while the hub still has to
      // read the slot to find out (after a restart): never "set" again once its delete was acknowledged.
      if (c.desired === "absent" && c.status !== "removing") {
        setStatus(c, "removing");
        return;
      }
      if (obs === undefined) {
        if (radioOk) steps.push({ kind: "read_slot", slot: c.slot });
        return;
      }
      if (c.desired === "absent" && watchDelay(c, DELAY_REMOVE, FAILED_REMOVE, "access_code.failed_to_remove_from_device", "access_code.delay_in_removing_from_device")) return;
      if (c.nextAttemptAt !== null && c.nextAttemptAt > now) {
        wakes.push(c.nextAttemptAt);
        return;
      }
      if (radioOk) steps.push({ kind: "clear_slot", slot: c.slot, accessCodeId: c.accessCodeId });
      return;
    }
    if (c.slot !== null) steps.push({ kind: "release_slot", accessCodeId: c.accessCodeId });
    if (c.desired === "absent") {
      if (c.wasOnLock) steps.push({ kind: "emit", type: "access_code.removed_from_device", accessCodeId: c.accessCodeId });
      steps.push({ kind: "finish_delete", accessCodeId: c.accessCodeId });
      return;
    }
    setStatus(c, "unset", { onLock: false, scheduledOnDevice: false });
  };
  for (const c of ordered) {
    if (input.untilFirstRadioStep && stopHere()) break;
    const obs = c.slot !== null ? input.slots.get(c.slot) : undefined;
    const known = input.settled?.wakesOf(c, lock, obs, policy, now);
    if (known) {
      for (const w of known) wakes.push(w);
      continue;
    }
    const stepsBefore = steps.length;
    const wakesBefore = wakes.length;
    planCode(c, obs);
    // Settled: set or unset with nothing to do (such a code never looked for a free slot: that always
    // asks for a step), so only its own records, the lock and the clock can change its plan.
    if (input.settled && steps.length === stepsBefore && (c.status === "set" || c.status === "unset")) {
      input.settled.remember(c, lock, obs, policy, now, wakes.slice(wakesBefore));
    }
  }
  // Unmanaged codes the caller asked to delete: the hub clears their slots (it then sees them go).
  if (radioOk && !(input.untilFirstRadioStep && steps.some(isRadioStep))) for (const u of input.unmanaged) if (u.deleting) steps.push({ kind: "clear_slot", slot: u.slot, accessCodeId: null });
  const future = wakes.filter((w) => w > now);
  return { steps, wakeAt: future.length ? Math.min(...future) : null };
}
