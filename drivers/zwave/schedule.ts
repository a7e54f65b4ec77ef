// SlotSchedule <-> Schedule Entry Lock year-day schedule.
//
// A year-day schedule is a start and stop date/time in the LOCK's local time, to the minute, with
// a two-digit year (0..99 = 2000..2099). zwave-js's Schedule Entry Lock interview sets the lock's
// time zone offset to the host's (getDSTInfo), so the lock's local time is the hub's local time:
// we encode and decode with the host's local-time Date getters on both sides (driver and the
// simulated keypad), which keeps them consistent in any TZ.
import { SupervisionStatus } from "@zwave-js/core";
import { ScheduleEntryLockCCValues, type ScheduleEntryLockYearDaySchedule, type ZWaveNode } from "zwave-js";
import type { LockCapabilities, RadioResult, SlotSchedule } from "../contract.js";
import { failed } from "./radio-errors.js";

/** We only ever program year-day schedule slot 1 of a user. */
export const YEAR_DAY_SCHEDULE_SLOT = 1;

const MINUTE_MS = 60_000;

/**
 * Encodes a window. The start is rounded UP and the end DOWN to the minute, so the lock never
 * accepts the code outside the window the hub asked for. Throws RangeError when nothing is left.
 */
export function toYearDaySchedule(schedule: SlotSchedule): ScheduleEntryLockYearDaySchedule {
  const start = new Date(Math.ceil(schedule.startsAt.getTime() / MINUTE_MS) * MINUTE_MS);
  const stop = new Date(Math.floor(schedule.endsAt.getTime() / MINUTE_MS) * MINUTE_MS);
  if (!(stop.getTime() > start.getTime())) {
    throw new RangeError("the schedule window is shorter than one minute (locks schedule to the minute)");
  }
  for (const d of [start, stop]) {
    if (d.getFullYear() < 2000 || d.getFullYear() > 2099) {
      throw new RangeError("Z-Wave year-day schedules only cover the years 2000..2099");
    }
  }
  return {
    startYear: start.getFullYear() - 2000,
    startMonth: start.getMonth() + 1,
    startDay: start.getDate(),
    startHour: start.getHours(),
    startMinute: start.getMinutes(),
    stopYear: stop.getFullYear() - 2000,
    stopMonth: stop.getMonth() + 1,
    stopDay: stop.getDate(),
    stopHour: stop.getHours(),
    stopMinute: stop.getMinutes(),
  };
}

/** The window a year-day schedule describes, as instants. */
export function yearDayWindow(s: ScheduleEntryLockYearDaySchedule): { start: Date; stop: Date } {
  return {
    start: new Date(2000 + s.startYear, s.startMonth - 1, s.startDay, s.startHour, s.startMinute),
    stop: new Date(2000 + s.stopYear, s.stopMonth - 1, s.stopDay, s.stopHour, s.stopMinute),
  };
}

/** What a lock enforcing the schedule does: accept from the start minute until the stop minute. */
export function isInsideYearDay(s: ScheduleEntryLockYearDaySchedule, at: Date): boolean {
  const { start, stop } = yearDayWindow(s);
  return at.getTime() >= start.getTime() && at.getTime() < stop.getTime();
}

// ---- on the lock (Schedule Entry Lock CC) --------------------------------------------------------

/** Programs the slot's window and enables scheduling for the user; the refusal, or null. */
export async function programYearDay(node: ZWaveNode, slot: number, schedule: SlotSchedule): Promise<RadioResult | null> {
  const api = node.commandClasses["Schedule Entry Lock"];
  const set = await api.setYearDaySchedule({ userId: slot, slotId: YEAR_DAY_SCHEDULE_SLOT }, toYearDaySchedule(schedule));
  if (set?.status === SupervisionStatus.Fail) return failed("rejected", `the lock refused the schedule for slot ${slot}`);
  // Editing a schedule enables scheduling on most locks; say it explicitly for the others.
  const enable = await api.setEnabled(true, slot);
  if (enable?.status === SupervisionStatus.Fail) return failed("rejected", `the lock refused to enable the schedule of slot ${slot}`);
  return null;
}

/**
 * Makes sure no schedule restricts the slot: scheduling off for the user, its year-day slot erased.
 * zwave-js caches (and persists) the user's "scheduling enabled" flag whenever we set it, so this costs
 * radio traffic once per slot, not on every plain write. The refusal, or null.
 */
export async function liftYearDay(node: ZWaveNode, caps: LockCapabilities, slot: number): Promise<RadioResult | null> {
  if (!caps.supportsNativeSchedule) return null;
  if (node.getValue<boolean>(ScheduleEntryLockCCValues.userEnabled(slot).id) === false) return null;
  const api = node.commandClasses["Schedule Entry Lock"];
  const disable = await api.setEnabled(false, slot);
  const erase = await api.setYearDaySchedule({ userId: slot, slotId: YEAR_DAY_SCHEDULE_SLOT });
  if (disable?.status === SupervisionStatus.Fail || erase?.status === SupervisionStatus.Fail) {
    return failed("rejected", `the lock refused to remove the schedule of slot ${slot}`);
  }
  return null;
}
