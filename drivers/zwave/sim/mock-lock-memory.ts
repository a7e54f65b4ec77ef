// The non-volatile memory of one simulated lock: a real lock keeps its codes and schedules across
// hub restarts, so the simulator does too. One JSON file per lock, written atomically (tmp file +
// rename) before the lock answers, fsynced after, and restored into the mock node's state before the radio starts.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import path from "node:path";
import type { ScheduleEntryLockYearDaySchedule } from "zwave-js";
import { z } from "zod";
import type { DriverLogger } from "../../contract.js";
import {
  asYearDaySchedule,
  readMockScheduleEnabled,
  readMockSlot,
  readMockYearDay,
  writeMockScheduleEnabled,
  writeMockSlot,
  writeMockYearDay,
} from "./mock-state-keys.js";
import { FACTORY_DOOR } from "../../sim/door-mechanism.js";

const fileSchema = z.object({
  version: z.literal(1),
  /** The lock was excluded from the network (simulator.remove): it stays gone across restarts. */
  excluded: z.boolean().default(false),
  battery: z.number().int().min(0).max(100).default(100),
  /** slot -> { User ID status, code } for occupied slots only. */
  slots: z.record(z.string(), z.object({ status: z.number().int(), code: z.string().min(1) })).default({}),
  schedules: z.record(z.string(), z.object({ yearDay: z.unknown(), enabled: z.boolean() })).default({}),
  /** Where the bolt and the door are (protocol.md §8); a lock keeps its bolt where it was. */
  door: z.object({ locked: z.boolean(), doorOpen: z.boolean() }).default(FACTORY_DOOR),
});

export interface LockMemorySnapshot {
  readonly excluded: boolean;
  readonly battery: number;
  readonly slots: Readonly<Record<string, { status: number; code: string }>>;
  readonly schedules: Readonly<Record<string, { yearDay: ScheduleEntryLockYearDaySchedule; enabled: boolean }>>;
  readonly door: { readonly locked: boolean; readonly doorOpen: boolean };
}

const EMPTY: LockMemorySnapshot = { excluded: false, battery: 100, slots: {}, schedules: {}, door: FACTORY_DOOR };

export class MockLockMemory {
  private current: LockMemorySnapshot;
  private saved: string;
  private writing: Promise<void> = Promise.resolve();
  private tmpCounter = 0;
  private dirReady = false;

  private constructor(
    private readonly file: string,
    private readonly slotCount: number,
    private readonly logger: DriverLogger,
    initial: LockMemorySnapshot,
  ) {
    this.current = initial;
    this.saved = JSON.stringify(initial);
  }

  /** Reads the file; a missing file is a factory-fresh lock, an unreadable one is logged and reset. */
  static async load(file: string, slotCount: number, logger: DriverLogger): Promise<MockLockMemory> {
    let initial = EMPTY;
    try {
      const parsed = fileSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
      if (parsed.success) {
        const schedules: Record<string, { yearDay: ScheduleEntryLockYearDaySchedule; enabled: boolean }> = {};
        for (const [slot, entry] of Object.entries(parsed.data.schedules)) {
          const yearDay = asYearDaySchedule(entry.yearDay);
          if (yearDay) schedules[slot] = { yearDay, enabled: entry.enabled };
        }
        initial = { excluded: parsed.data.excluded, battery: parsed.data.battery, slots: parsed.data.slots, schedules, door: parsed.data.door };
      } else {
        logger.warn({ file, issues: parsed.error.issues.length }, "simulated lock memory unreadable; starting empty");
      }
    } catch (e) {
      if (!(e instanceof Error && "code" in e && e.code === "ENOENT")) {
        logger.warn({ file, err: e instanceof Error ? e.message : String(e) }, "simulated lock memory unreadable; starting empty");
      }
    }
    return new MockLockMemory(file, slotCount, logger, initial);
  }

  get snapshot(): LockMemorySnapshot {
    return this.current;
  }

  /** Puts the remembered codes and schedules into a fresh mock node's state. */
  applyTo(state: Map<string, unknown>): void {
    for (let slot = 1; slot <= this.slotCount; slot++) {
      const entry = this.current.slots[String(slot)];
      writeMockSlot(state, slot, entry ? { status: entry.status, code: entry.code } : { status: 0, code: null });
      const schedule = this.current.schedules[String(slot)];
      writeMockYearDay(state, slot, schedule?.yearDay);
      if (schedule) writeMockScheduleEnabled(state, slot, schedule.enabled);
    }
  }

  /** Re-reads the mock node's state; saves when something changed. */
  captureFrom(state: Map<string, unknown>): void {
    const slots: Record<string, { status: number; code: string }> = {};
    const schedules: Record<string, { yearDay: ScheduleEntryLockYearDaySchedule; enabled: boolean }> = {};
    for (let slot = 1; slot <= this.slotCount; slot++) {
      const held = readMockSlot(state, slot);
      if (held.code !== null) slots[String(slot)] = { status: held.status, code: held.code };
      const yearDay = readMockYearDay(state, slot);
      if (yearDay) schedules[String(slot)] = { yearDay, enabled: readMockScheduleEnabled(state, slot) };
    }
    this.update({ ...this.current, slots, schedules });
  }

  setDoor(door: { locked: boolean; doorOpen: boolean }): void {
    this.update({ ...this.current, door: { locked: door.locked, doorOpen: door.doorOpen } });
  }

  setBattery(level: number): void {
    this.update({ ...this.current, battery: level });
  }

  markExcluded(): void {
    this.update({ ...this.current, excluded: true });
  }

  /** Included again (a pairing button pressed during an inclusion). */
  markIncluded(): void {
    this.update({ ...this.current, excluded: false });
  }

  /** Waits until everything captured so far is on disk. */
  async flush(): Promise<void> {
    await this.writing;
  }

  private update(next: LockMemorySnapshot): void {
    this.current = next;
    const text = JSON.stringify(next);
    if (text === this.saved) return;
    this.saved = text;
    // Saved before the lock's answer goes back to the hub, as a real lock writes its memory before it
    // reports success: a crash of the process that hosts both the hub and the simulator must not roll the
    // lock back to before a command it acknowledged (found by test/e2e/crash.test.ts). Written
    // synchronously, the file is with the OS at once (enough for a process crash); the fsync for a
    // power cut follows in the background, chained so flush() waits for it.
    try {
      this.writeNow(next);
    } catch (e) {
      this.logger.error({ file: this.file, err: e instanceof Error ? e.message : String(e) }, "could not save simulated lock memory");
      return;
    }
    this.writing = this.writing.then(() => this.syncToDisk()).catch((e: unknown) => {
      this.logger.error({ file: this.file, err: e instanceof Error ? e.message : String(e) }, "could not sync simulated lock memory");
    });
  }

  private writeNow(snapshot: LockMemorySnapshot): void {
    if (!this.dirReady) {
      mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      this.dirReady = true;
    }
    const tmp = `${this.file}.tmp-${process.pid}-${++this.tmpCounter}`;
    try {
      writeFileSync(tmp, JSON.stringify({ version: 1, ...snapshot }, null, 1), { encoding: "utf8", mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  }

  private async syncToDisk(): Promise<void> {
    const handle = await open(this.file, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
