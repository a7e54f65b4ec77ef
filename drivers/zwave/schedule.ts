// SlotSchedule <-> Schedule Entry Lock year-day schedule.
//
// A year-day schedule is a start and stop date/time in the LOCK's local time, to the minute, with
// a two-digit year (0..99 = 2000..2099). zwave-js's Schedule Entry Lock interview sets the lock's
// time zone offset to the host's (getDSTInfo), so the lock's local time is the hub's local time:
// we encode and decode with the host's local-time Date getters on both sides (driver and the
// simulated keypad), which keeps them consistent in any TZ.
import type { ScheduleEntryLockYearDaySchedule } from "zwave-js";
import type { SlotSchedule } from "../contract.js";

/** We only ever program year-day schedule slot 1 of a user (see lock-handle.ts). */
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
