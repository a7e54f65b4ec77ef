// What the driver learned about each lock, kept across restarts so a restart costs no radio traffic:
// the Door Lock endpoint, the capabilities, and above all whether PIN read-back works. A lock that never
// answers getPinCode makes every read wait out its timeout; that is detected once and remembered here.
import type { LockCapabilities } from "../contract.js";
import { isRecord, readJsonFile, writeJsonFileAtomic } from "./json-file.js";

/** Why a lock's read-back is "status_only". */
export type ReadbackLimit = "send_pin_ota_off" | "masked_digits" | "no_get_pin_code_answer";

export interface LockProfile {
  readonly endpoint: number;
  readonly capabilities: LockCapabilities;
  readonly readbackLimit: ReadbackLimit | null;
  /** Percent, or null when never reported. */
  readonly battery: number | null;
  /** The lock has answered getPinCode at least once: a later silence is a lost frame, not a limitation. */
  readonly readbackProven: boolean;
  /** The lock reports doorState (true), was read without it (false), or has not said yet (absent). */
  readonly doorSensor?: boolean;
  /** requirePinForRfOperation: the lock wants a PIN with lockDoor / unlockDoor, so the hub cannot operate it. */
  readonly rfNeedsPin?: boolean;
  /** The lock was seen confirming the hub's own PIN changes with RF programming events (rf-changes.ts). */
  readonly rfProgrammingEvents?: boolean;
  /**
   * Slots that may still hold the year-day schedule the hub sets (SCHEDULE_ID): added before a schedule is
   * sent, removed once it is cleared. Absent (a profile saved before the hub kept this): unknown, so every
   * plain write on a scheduling lock clears the slot's schedule, as it always did.
   */
  readonly hubSchedules?: readonly number[];
}

const LIMITS: readonly ReadbackLimit[] = ["send_pin_ota_off", "masked_digits", "no_get_pin_code_answer"];

function numberArray(value: unknown): number[] | null {
  return Array.isArray(value) && value.every((n) => typeof n === "number") ? (value as number[]) : null;
}

function decodeCapabilities(value: unknown): LockCapabilities | null {
  if (!isRecord(value)) return null;
  const { slotCount, codeLengths, charset, supportsChecksum, supportsNativeSchedule, readback } = value;
  const lengths = numberArray(codeLengths);
  if (typeof slotCount !== "number" || lengths === null || typeof charset !== "string") return null;
  if (typeof supportsChecksum !== "boolean" || typeof supportsNativeSchedule !== "boolean") return null;
  if (readback !== "digits" && readback !== "status_only") return null;
  return { slotCount, codeLengths: lengths, charset, supportsChecksum, supportsNativeSchedule, readback };
}

function decodeProfile(value: unknown): LockProfile | null {
  if (!isRecord(value)) return null;
  const capabilities = decodeCapabilities(value["capabilities"]);
  const { endpoint, readbackLimit, battery, readbackProven, doorSensor, rfNeedsPin, rfProgrammingEvents, hubSchedules } = value;
  const schedules = numberArray(hubSchedules);
  if (capabilities === null || typeof endpoint !== "number") return null;
  const limit = LIMITS.find((l) => l === readbackLimit) ?? null;
  return {
    endpoint,
    capabilities,
    readbackLimit: limit,
    battery: typeof battery === "number" ? battery : null,
    readbackProven: readbackProven === true,
    ...(typeof doorSensor === "boolean" ? { doorSensor } : {}),
    ...(rfNeedsPin === true ? { rfNeedsPin } : {}),
    ...(rfProgrammingEvents === true ? { rfProgrammingEvents } : {}),
    ...(schedules ? { hubSchedules: schedules } : {}),
  };
}

export class ProfileStore {
  private readonly profiles = new Map<string, LockProfile>();

  constructor(private readonly file: string) {
    const raw = readJsonFile(file);
    if (!isRecord(raw) || !isRecord(raw["locks"])) return;
    for (const [ieee, entry] of Object.entries(raw["locks"])) {
      const profile = decodeProfile(entry);
      if (profile) this.profiles.set(ieee, profile);
    }
  }

  get(ieee: string): LockProfile | undefined {
    return this.profiles.get(ieee);
  }

  put(ieee: string, profile: LockProfile): void {
    this.profiles.set(ieee, profile);
    this.flush();
  }

  /** Merge a change into an existing profile (no-op for an unknown lock); writes only when something changed. */
  update(ieee: string, change: Partial<LockProfile>): LockProfile | undefined {
    const current = this.profiles.get(ieee);
    if (!current) return undefined;
    const next: LockProfile = { ...current, ...change };
    if (JSON.stringify(next) !== JSON.stringify(current)) this.put(ieee, next);
    return next;
  }

  delete(ieee: string): void {
    if (this.profiles.delete(ieee)) this.flush();
  }

  private flush(): void {
    writeJsonFileAtomic(this.file, { version: 1, locks: Object.fromEntries(this.profiles) });
  }
}
