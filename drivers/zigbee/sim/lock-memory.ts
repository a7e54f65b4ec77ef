// What a simulated lock physically holds: users (PIN, status, type) and year-day schedules, with the
// rules a real lock applies (unique PINs, lengths, schedule-bound users). Pure; persistence is elsewhere.
import { isRecord } from "../json-file.js";
import { PIN_CHARSET, UserStatus, UserType } from "../door-lock.js";

export interface UserEntry {
  readonly pin: string;
  readonly status: number;
  readonly type: number;
}

/** Start and end in Zigbee local time (seconds since 2000-01-01, local). */
export interface YearDaySchedule {
  readonly start: number;
  readonly end: number;
}

export interface LockMemoryData {
  readonly users: Record<string, UserEntry>;
  readonly yearDay: Record<string, YearDaySchedule>;
}

export type SetOutcome = "ok" | "duplicate" | "invalid";

export interface MemoryLimits {
  /** User ids 0..userCount-1 exist, as in the ZCL spec. */
  readonly userCount: number;
  readonly minPinLen: number;
  readonly maxPinLen: number;
}

function decodeUsers(value: unknown): Record<string, UserEntry> {
  const users: Record<string, UserEntry> = {};
  if (!isRecord(value)) return users;
  for (const [id, entry] of Object.entries(value)) {
    if (isRecord(entry) && typeof entry["pin"] === "string" && typeof entry["status"] === "number" && typeof entry["type"] === "number") {
      users[id] = { pin: entry["pin"], status: entry["status"], type: entry["type"] };
    }
  }
  return users;
}

function decodeSchedules(value: unknown): Record<string, YearDaySchedule> {
  const schedules: Record<string, YearDaySchedule> = {};
  if (!isRecord(value)) return schedules;
  for (const [id, entry] of Object.entries(value)) {
    if (isRecord(entry) && typeof entry["start"] === "number" && typeof entry["end"] === "number") {
      schedules[id] = { start: entry["start"], end: entry["end"] };
    }
  }
  return schedules;
}

export class LockMemory {
  private readonly users = new Map<number, UserEntry>();
  private readonly yearDay = new Map<number, YearDaySchedule>();

  constructor(
    private readonly limits: MemoryLimits,
    saved?: unknown,
  ) {
    if (!isRecord(saved)) return;
    for (const [id, user] of Object.entries(decodeUsers(saved["users"]))) this.users.set(Number(id), user);
    for (const [id, schedule] of Object.entries(decodeSchedules(saved["yearDay"]))) this.yearDay.set(Number(id), schedule);
  }

  validUser(userId: number): boolean {
    return Number.isInteger(userId) && userId >= 0 && userId < this.limits.userCount;
  }

  get(userId: number): UserEntry | undefined {
    return this.users.get(userId);
  }

  /** A real lock refuses a PIN another user already holds, and PINs that do not fit. */
  set(userId: number, pin: string, status: number, type: number): SetOutcome {
    const fits = pin.length >= this.limits.minPinLen && pin.length <= this.limits.maxPinLen && [...pin].every((c) => PIN_CHARSET.includes(c));
    if (!this.validUser(userId) || !fits) return "invalid";
    for (const [other, entry] of this.users) {
      if (other !== userId && entry.pin === pin) return "duplicate";
    }
    this.users.set(userId, { pin, status, type });
    return "ok";
  }

  /** clearPinCode: the PIN goes, the user's schedule stays (a separate command clears it). */
  clearPin(userId: number): boolean {
    if (!this.validUser(userId)) return false;
    this.users.delete(userId);
    return true;
  }

  /** Deleting a user at the keypad takes the PIN and its schedule. */
  deleteUser(userId: number): boolean {
    const ok = this.clearPin(userId);
    this.yearDay.delete(userId);
    return ok;
  }

  clearAll(): void {
    this.users.clear();
    this.yearDay.clear();
  }

  setSchedule(userId: number, schedule: YearDaySchedule): boolean {
    if (!this.validUser(userId) || schedule.end < schedule.start) return false;
    this.yearDay.set(userId, schedule);
    return true;
  }

  schedule(userId: number): YearDaySchedule | undefined {
    return this.yearDay.get(userId);
  }

  clearSchedule(userId: number): boolean {
    if (!this.validUser(userId)) return false;
    this.yearDay.delete(userId);
    return true;
  }

  /**
   * Who holds `pin`, and whether that user may open at `localTime`: enabled, and inside its year-day
   * schedule if it has one (a schedule-bound user without a schedule may not open at all).
   */
  match(pin: string, localTime: number): { userId: number; allowed: boolean } | null {
    for (const [userId, entry] of this.users) {
      if (entry.pin !== pin) continue;
      if (entry.status !== UserStatus.ENABLED) return { userId, allowed: false };
      const window = this.yearDay.get(userId);
      if (window) return { userId, allowed: window.start <= localTime && localTime <= window.end };
      return { userId, allowed: entry.type !== UserType.YEAR_DAY_SCHEDULE };
    }
    return null;
  }

  toJSON(): LockMemoryData {
    return {
      users: Object.fromEntries([...this.users].sort(([a], [b]) => a - b)),
      yearDay: Object.fromEntries([...this.yearDay].sort(([a], [b]) => a - b)),
    };
  }
}
