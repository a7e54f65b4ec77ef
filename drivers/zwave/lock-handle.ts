// One Z-Wave lock as the contract's LockHandle: every call is a bounded, single attempt over
// zwave-js's User Code / Schedule Entry Lock APIs, and every write is confirmed before ok:true.
import { CommandClasses, SecurityClass, SupervisionStatus } from "@zwave-js/core";
import {
  BatteryCCValues,
  NodeStatus,
  ScheduleEntryLockCCValues,
  UserCodeCCValues,
  UserIDStatus,
  type ZWaveNode,
} from "zwave-js";
import {
  RadioError,
  type DriverEventListener,
  type DriverLogger,
  type LockCapabilities,
  type LockControls,
  type LockHandle,
  type LockIdentity,
  type LockOperationResult,
  type LockState,
  type BatchContext,
  type MultiCodeWrite,
  type RadioResult,
  type SlotContent,
  type SlotSchedule,
  type SlotWrite,
} from "../contract.js";
import { ZWaveBatchWriter } from "./batch-writes.js";
import { CodeNotices } from "./code-notices.js";
import { ZWaveDoorLock } from "./door-lock.js";
import { readableCode } from "./notifications.js";
import { failed, toRadioError, withDeadline } from "./radio-errors.js";
import { liftYearDay, programYearDay } from "./schedule.js";
import { isOccupiedStatus } from "./user-id-status.js";
import { slotProblem, writeProblem } from "./write-checks.js";
import { confirmWrite, DUPLICATE_NOTICE_WAIT_MS, refusal, slotBefore, type ProofHost } from "./write-proof.js";

/** What the driver knows about a lock beyond what the node reports. */
export interface LockProfile {
  readonly name: string;
  readonly manufacturer: string | null;
  readonly model: string | null;
  readonly simulated: boolean;
  readonly isBattery: boolean;
  /** Z-Wave capabilities carry no PIN lengths: from config (simulation) or a documented default. */
  readonly codeLengths: readonly number[];
  /** Simulation only: whether the lock currently hides digits. Real locks are learned from reports. */
  readonly masksDigits?: () => boolean;
}

export interface LockHandleOptions {
  readonly commandTimeoutMs: number;
  readonly logger: DriverLogger;
  /** Where the lock's bolt and door reports go (the driver's event stream). */
  readonly emit: DriverEventListener;
  /** User Code payload bytes one frame to this lock carries (frame-budget.ts); needed for multi-code writes. */
  readonly payloadBudget?: () => number;
}

const DEFAULT_CHARSET = "0123456789";

export class ZWaveLockHandle implements LockHandle {
  readonly identity: LockIdentity;
  /** Slots with a call in flight: User Code value updates for them are our own, not the lock's news. */
  private readonly busySlots = new Set<number>();
  /** A real lock answered an occupied slot without digits: it can only prove writes by status. */
  private maskedSeen = false;
  /** What the lock said about codes on its own (duplicates, codes added, reports). */
  readonly notices = new CodeNotices();
  private budget: number | null = null;
  /** Multi-code writes (batch-writes.ts). */
  readonly batches: ZWaveBatchWriter;
  /** Why every call fails fast with "offline" (removed from the network, controller gone), or null. */
  private unreachable: string | null = null;
  /** The last capabilities zwave-js knew: its value DB closes with the driver when the controller goes away. */
  private known: LockCapabilities | null = null;
  /** The bolt and the door (door-lock.ts). */
  readonly door: ZWaveDoorLock;
  private readonly proofHost: ProofHost;

  constructor(
    private readonly node: ZWaveNode,
    radioId: string,
    private readonly profile: LockProfile,
    private readonly options: LockHandleOptions,
  ) {
    this.door = new ZWaveDoorLock(node, radioId, options.emit);
    this.proofHost = {
      node,
      notices: this.notices,
      statusOnly: () => this.readbackMode() === "status_only",
      digitsOf: (userCode) => this.digitsOf(userCode),
    };
    this.batches = new ZWaveBatchWriter({
      node,
      notices: this.notices,
      duplicateWaitMs: DUPLICATE_NOTICE_WAIT_MS,
      capabilities: () => this.capabilities(),
      validate: (caps, slot, code) => this.validateWrite(caps, slot, code),
      writeSlot: (slot, code) => this.writeSlot(slot, code),
      run: (slots, work) => this.run(slots, work),
      // Each under the deadline with its slot busy, as in a single write: our own reads are not news.
      confirm: (slot, code, result, since) => this.runResult(slot, () => confirmWrite(this.proofHost, slot, code, result, since)),
      liftSchedule: (caps, slot) =>
        this.run(slot, () => liftYearDay(node, caps, slot)).catch((e: unknown) => {
          const error = toRadioError(e, false);
          return failed(error.failure, error.message);
        }),
      readChecksum: () => this.readChecksum(),
      hidesDigits: () => this.readbackMode() === "status_only",
    });
    this.identity = {
      radioId,
      protocol: "zwave",
      name: profile.name,
      manufacturer: profile.manufacturer,
      model: profile.model,
      simulated: profile.simulated,
      isBattery: profile.isBattery,
    };
  }

  get nodeId(): number {
    return this.node.id;
  }

  capabilities(): LockCapabilities {
    const current = this.unreachable ? null : this.readCapabilities();
    if (current) this.known = current;
    const caps = current ?? this.known;
    // Never interviewed and no controller to ask: zero slots, which every write treats as "offline".
    if (!caps) return { slotCount: 0, codeLengths: this.profile.codeLengths, charset: DEFAULT_CHARSET, supportsChecksum: false, supportsNativeSchedule: false, readback: "digits" };
    return current ? caps : { ...caps, readback: this.readbackMode() };
  }

  /** What zwave-js's value DB says, or null when it cannot say (not interviewed, or the DB closed with the driver). */
  private readCapabilities(): LockCapabilities | null {
    try {
      const slotCount = this.node.getValue<number>(UserCodeCCValues.supportedUsers.id);
      if (slotCount === undefined) return null;
      const yearDaySlots = this.node.getValue<number>(ScheduleEntryLockCCValues.numYearDaySlots.id) ?? 0;
      const multiCodeWrite = this.multiCodeWrite();
      return {
        slotCount,
        codeLengths: this.profile.codeLengths,
        charset: this.node.getValue<string>(UserCodeCCValues.supportedASCIIChars.id) || DEFAULT_CHARSET,
        supportsChecksum: this.node.getValue<boolean>(UserCodeCCValues.supportsUserCodeChecksum.id) === true,
        supportsNativeSchedule: this.node.supportsCC(CommandClasses["Schedule Entry Lock"]) && yearDaySlots > 0,
        readback: this.readbackMode(),
        ...(multiCodeWrite ? { multiCodeWrite } : {}),
      };
    } catch {
      return null;
    }
  }

  /**
   * A User Code v2 lock that reports "multiple user code set" takes as many codes per Extended User Code
   * Set as its frame budget allows: a count byte, then 4 bytes (user id, status, length) and the digits each.
   */
  private multiCodeWrite(): MultiCodeWrite | null {
    if (!this.options.payloadBudget || this.node.getCCVersion(CommandClasses["User Code"]) < 2) return null;
    if (this.node.getValue<boolean>(UserCodeCCValues.supportsMultipleUserCodeSet.id) !== true) return null;
    this.budget ??= this.options.payloadBudget();
    return { budgetBytes: this.budget, batchBytes: 1, codeBytes: 4, maxCodes: 255 };
  }

  isOnline(): boolean {
    return this.unreachable === null && this.node.status !== NodeStatus.Dead;
  }

  securityClass(): string | null {
    const c = this.node.getHighestSecurityClass();
    return c === undefined ? null : (SecurityClass[c] ?? null);
  }

  batteryLevel(): number | null {
    if (this.unreachable || !this.node.supportsCC(CommandClasses.Battery)) return null;
    const level = this.node.getValue<number>(BatteryCCValues.level.id);
    return typeof level === "number" ? level : null;
  }

  async readSlot(slot: number): Promise<SlotContent> {
    this.assertSlot(slot);
    return this.run(slot, async () => {
      const report = await this.node.commandClasses["User Code"].get(slot);
      if (!report) throw new RadioError("timeout", `no User Code Report for slot ${slot}`);
      if (report.userIdStatus === UserIDStatus.StatusNotAvailable) {
        throw new RadioError("rejected", `the lock has no slot ${slot}`);
      }
      if (!isOccupiedStatus(report.userIdStatus)) return { slot, code: null };
      return { slot, code: this.digitsOf(report.userCode) };
    });
  }

  async readChecksum(): Promise<number | null> {
    if (!this.capabilities().supportsChecksum) return null;
    return this.run(null, async () => {
      const checksum = await this.node.commandClasses["User Code"].getUserCodeChecksum();
      if (typeof checksum !== "number") throw new RadioError("timeout", "no User Code Checksum Report");
      return checksum;
    });
  }

  async writeSlot(slot: number, code: string, schedule?: SlotSchedule): Promise<RadioResult> {
    // Read once per call: each capability is a lookup in zwave-js's value DB.
    const caps = this.capabilities();
    const invalid = this.validateWrite(caps, slot, code, schedule);
    if (invalid) return invalid;
    return this.runResult(slot, async () => {
      const since = Date.now();
      // A window is programmed BEFORE the code, so the code never works outside it.
      if (schedule) {
        const refused = await programYearDay(this.node, slot, schedule);
        if (refused) return refused;
      }
      const supervised = this.node.supportsCC(CommandClasses.Supervision);
      let before = slotBefore(this.node, slot);
      // A lock that hides digits and answers no Supervision cannot show that it took a new code over an
      // old one (the slot is occupied either way): it is emptied first, so the status proves the write.
      if (!supervised && before !== null && this.readbackMode() === "status_only") {
        const cleared = await confirmWrite(this.proofHost, slot, null, await this.node.commandClasses["User Code"].clear(slot), since);
        if (!cleared.ok) return cleared;
        before = null;
      }
      // Without Supervision the lock's own "code added" is the write's answer (code-notices.ts).
      if (!supervised) this.notices.expectEcho([slot]);
      const result = await this.node.commandClasses["User Code"].set(slot, UserIDStatus.Enabled, code);
      if (result?.status === SupervisionStatus.Fail) return refusal(this.proofHost, slot, since);
      if (!schedule) {
        // A plain code must not inherit the window of the slot's previous, time-bound code.
        const refused = await liftYearDay(this.node, caps, slot);
        if (refused) return refused;
      }
      return confirmWrite(this.proofHost, slot, code, result, since, before);
    });
  }

  async writeSlots(writes: readonly SlotWrite[], context?: BatchContext): Promise<readonly RadioResult[]> {
    return this.batches.writeSlots(writes, context);
  }

  async clearSlot(slot: number): Promise<RadioResult> {
    try {
      this.assertSlot(slot);
    } catch (e) {
      const error = toRadioError(e, false);
      return failed(error.failure, error.message);
    }
    return this.runResult(slot, async () => {
      const since = Date.now();
      // The code goes first: it must stop working even if removing its schedule fails.
      const result = await this.node.commandClasses["User Code"].clear(slot);
      if (result?.status === SupervisionStatus.Fail) return failed("rejected", `the lock refused to clear slot ${slot}`);
      const refused = await liftYearDay(this.node, this.capabilities(), slot);
      if (refused) return refused;
      return confirmWrite(this.proofHost, slot, null, result, since);
    });
  }

  // ---- the bolt and the door (protocol.md §8) --------------------------------------------------

  lockControls(): LockControls {
    return this.door.controls();
  }

  lockState(): LockState {
    return this.door.reports.state;
  }

  async readLockState(): Promise<LockState> {
    return this.run(null, () => this.door.read());
  }

  async setLocked(locked: boolean): Promise<LockOperationResult> {
    try {
      return await this.run(null, () => this.door.set(locked));
    } catch (e) {
      const error = toRadioError(e, false);
      return { ok: false, failure: error.failure, message: error.message };
    }
  }

  // ---- driver-facing ------------------------------------------------------------------------

  /** True while one of our own calls is reading or writing this slot. */
  isSlotBusy(slot: number): boolean {
    return this.busySlots.has(slot);
  }

  /** The driver saw Access Control 0x0F from this lock. */
  noteDuplicateRefused(slot: number | null): void {
    this.notices.note({ kind: "duplicate", slot });
  }

  /** The lock said "new user code added" for `slot`; true when it answers a write of ours (not a keypad change). */
  noteCodeAdded(slot: number): boolean {
    return this.notices.noteAdded(slot);
  }

  /** A User Code Report for a slot one of our calls is busy with (the answer to our Get, or the lock's own). */
  noteSlotReport(slot: number, code: string | null | undefined): void {
    this.notices.note({ kind: "report", slot, code });
  }

  /** The node left the network: every later call fails fast with "offline". */
  markRemoved(): void {
    this.unreachable ??= "the lock was removed from the Z-Wave network";
    this.door.dispose();
  }

  /** The controller is gone (unplugged, its socket closed): every later call fails fast with "offline". */
  markControllerLost(): void {
    this.unreachable ??= "the Z-Wave controller is not connected";
    this.door.dispose();
  }

  // ---- internals ----------------------------------------------------------------------------

  private readbackMode(): "digits" | "status_only" {
    const masked = this.profile.masksDigits ? this.profile.masksDigits() : this.maskedSeen;
    return masked ? "status_only" : "digits";
  }

  /** The code of an occupied slot, or undefined when the lock masks it ("****", empty, binary). */
  private digitsOf(userCode: unknown): string | undefined {
    const code = readableCode(userCode);
    if (typeof code !== "string") {
      this.maskedSeen = true;
      return undefined;
    }
    this.maskedSeen = false;
    return this.readbackMode() === "status_only" ? undefined : code;
  }

  private assertSlot(slot: number, caps = this.capabilities()): void {
    if (this.unreachable) throw new RadioError("offline", this.unreachable);
    const problem = slotProblem(caps, slot);
    if (problem) throw problem;
  }

  /** Checks that need no radio traffic; a failure here is never worth a retry. */
  private validateWrite(caps: LockCapabilities, slot: number, code: string, schedule?: SlotSchedule): RadioResult | null {
    return this.unreachable ? failed("offline", this.unreachable) : writeProblem(caps, slot, code, schedule);
  }

  /** Runs one call under the deadline, its slots marked busy; radio trouble becomes a RadioError. */
  private async run<T>(slot: number | readonly number[] | null, work: () => Promise<T>): Promise<T> {
    if (this.unreachable) throw new RadioError("offline", this.unreachable);
    const wasDead = this.node.status === NodeStatus.Dead;
    const slots = slot === null ? [] : typeof slot === "number" ? [slot] : slot;
    for (const s of slots) this.busySlots.add(s);
    try {
      return await withDeadline(work(), this.options.commandTimeoutMs);
    } catch (e) {
      const error = toRadioError(e, wasDead);
      this.options.logger.debug({ radioId: this.identity.radioId, slot, failure: error.failure }, "z-wave lock call failed");
      throw error;
    } finally {
      for (const s of slots) this.busySlots.delete(s);
      this.notices.finished(slots);
    }
  }

  private async runResult(slot: number, work: () => Promise<RadioResult>): Promise<RadioResult> {
    try {
      return await this.run(slot, work);
    } catch (e) {
      const error = toRadioError(e, false);
      return failed(error.failure, error.message);
    }
  }
}
