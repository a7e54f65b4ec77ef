// The year-day schedule (id SCHEDULE_ID) the hub gives a slot, and the memory of which slots may still hold
// one (LockProfile.hubSchedules): a plain code needs the schedule cleared only where it may be, because some
// locks enforce a leftover schedule whatever the user type.
import type { Models } from "zigbee-herdsman";
import type { RadioResult, SlotSchedule } from "../contract.js";
import { DOOR_LOCK, SCHEDULE_ID, toZigbeeLocalTime } from "./door-lock.js";
import type { LockProfile } from "./profile-store.js";

/**
 * What a Door Lock command with a status response came to (lock-handle.ts statusCommand). "ok": the lock said
 * success; "unconfirmed": it sent a Default Response with SUCCESS instead of the real answer; otherwise the
 * failure, with the Door Lock status when the lock gave one.
 */
export type StatusOutcome = "ok" | "unconfirmed" | { readonly result: RadioResult; readonly status?: number };
export type CommandOptions = { timeout: number; disableRecovery: true; sendPolicy: "immediate" };
export type StatusCommand = (label: string, op: (ep: Models.Endpoint, options: CommandOptions) => Promise<unknown>) => Promise<StatusOutcome>;

export function unanswered(result: RadioResult): boolean {
  return !result.ok && (result.failure === "timeout" || result.failure === "offline");
}

export class SlotSchedules {
  constructor(
    private readonly profile: () => LockProfile,
    private readonly updateProfile: (change: Partial<LockProfile>) => void,
    private readonly statusCommand: StatusCommand,
  ) {}

  /**
   * The slot's schedule after a write: set when the code has a window; cleared when it has none and the slot
   * may hold one. Clearing an absent schedule may be answered with a failure status: only silence fails the write.
   */
  async apply(slot: number, schedule: SlotSchedule | undefined): Promise<RadioResult | null> {
    if (schedule) {
      this.note(slot, true);
      const set = await this.statusCommand("setYearDaySchedule", (ep, o) =>
        ep.command(
          DOOR_LOCK,
          "setYearDaySchedule",
          { scheduleid: SCHEDULE_ID, userid: slot, zigbeelocalstarttime: toZigbeeLocalTime(schedule.startsAt), zigbeelocalendtime: toZigbeeLocalTime(schedule.endsAt) },
          o,
        ),
      );
      return typeof set === "object" ? set.result : null;
    }
    if (!this.mayHold(slot)) return null;
    const cleared = await this.clear(slot);
    return typeof cleared === "object" && unanswered(cleared.result) ? cleared.result : null;
  }

  /** Clears the hub's schedule of `slot`; answered at all (a failure status is "there was none"), the slot holds none. */
  async clear(slot: number): Promise<StatusOutcome> {
    const outcome = await this.statusCommand("clearYearDaySchedule", (ep, o) => ep.command(DOOR_LOCK, "clearYearDaySchedule", { scheduleid: SCHEDULE_ID, userid: slot }, o));
    if (typeof outcome !== "object" || !unanswered(outcome.result)) this.note(slot, false);
    return outcome;
  }

  /** Whether the slot may hold the hub's schedule: only then does a plain code or a clear need it cleared. */
  mayHold(slot: number): boolean {
    const profile = this.profile();
    if (!profile.capabilities.supportsNativeSchedule) return false;
    return profile.hubSchedules?.includes(slot) ?? true;
  }

  /** Kept before a schedule is sent (it may land though the answer is lost), dropped once it is cleared. */
  private note(slot: number, held: boolean): void {
    const known = this.profile().hubSchedules;
    if (!known || known.includes(slot) === held) return;
    this.updateProfile({ hubSchedules: held ? [...known, slot].sort((a, b) => a - b) : known.filter((s) => s !== slot) });
  }
}
