import type { BatchContext, LockHandle, LockOperationResult, RadioResult } from "../../drivers/contract.js";
import type { Journal } from "../events/journal.js";
import type { Logger } from "../log.js";
import type { Clock } from "../util/clock.js";
import { maintainBackupPool } from "../codes/backup.js";
import { applyStoreSteps } from "./apply.js";
import type { Observation } from "./classify.js";
import { recordOperation, type FinishedOperation, type OperateStep } from "./lock-operations.js";
import { recordLockState, recordObservation } from "./observe.js";
import { RadioSteps, type BatchStep, type InFlightWrite } from "./radio-steps.js";
import { recordSlotCommand, type SlotCommandStep } from "./slot-commands.js";
import { plan, type ReconcilePolicy } from "./planner.js";
import { SettledCodes } from "./settled-codes.js";
import { SlotReads } from "./slot-reads.js";
import { isRadioStep, type RadioStep, type StoreStep } from "./steps.js";
import type { Tx } from "../events/journal.js";

/** What the lock answered to the last radio command, recorded with the plan that follows. */
type Outcome =
  | { readonly kind: "slot"; readonly step: SlotCommandStep; readonly result: RadioResult }
  | { readonly kind: "batch"; readonly step: BatchStep; readonly results: readonly RadioResult[] }
  | { readonly kind: "operation"; readonly step: OperateStep; readonly result: LockOperationResult };

/**
 * The reason a sleeping executor is woken. A constant, so a wake-up allocates no DOMException and
 * captures no stack (zwave-js installs source-map-support, which makes stack traces costly).
 */
const WAKE = Symbol("wake");

/** Quiet time after the last radio command before the hub re-reads a lock's checksum. */
const CHECKSUM_QUIET_MS = 2000;

export interface ExecutorOptions {
  readonly journal: Journal;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly policy: ReconcilePolicy;
  /** In-step retries for a lock that did not answer, before backing off between plans. */
  readonly quickRetries: number;
  readonly quickRetryDelayMs: number;
  /** Longest pause between two attempts at the same step. */
  readonly maxBackoffMs: number;
  /** Re-check time-driven plans at least this often, so a wall-clock jump is noticed promptly. */
  readonly maxSleepMs: number;
  /** Poll battery locks that lack a checksum after start-up (off by default: it drains batteries). */
  readonly pollBatteryLocks: boolean;
  /** Backup codes kept ready per lock whose codes use the backup pool. */
  readonly backupPoolSize: number;
  readonly onRadioCommand?: (kind: string, ok: boolean) => void;
  /** A LOCK_DOOR / UNLOCK_DOOR attempt ended (after its commit). */
  readonly onLockOperation?: (locked: boolean, status: "success" | "error") => void;
}

/**
 * One per lock: serialises every radio command to that lock (one in flight), applies the planner's
 * store steps, runs its radio steps with bounded retries, and records what the lock said.
 */
export class LockExecutor {
  private handle: LockHandle | null = null;
  private wake = new AbortController();
  private sleeping = false;
  private kicked = false;
  private stopped = false;
  private running: Promise<void> | null = null;
  private readonly pendingReads = new SlotReads();
  /** Codes the last plans found settled, so a full lock does not cost a walk over every code per command. */
  private readonly settled = new SettledCodes();
  private checksumDirty = false;
  private lastRadioAt = 0;
  private pendingVerify: "startup" | "periodic" | null = null;
  /** Cost of the last start-up or periodic check, for /hub/status and benchmarks. */
  lastVerify: { reason: string; roundTrips: number; fullRead: boolean; at: number } | null = null;
  /** Where an interrupted full read resumes (a lock operation goes ahead of a long sync). */
  private syncFrom = 1;
  /** Writes, clears and lock operations on the radio, and what of them is in flight (radio-steps.ts). */
  private readonly radio: RadioSteps;

  constructor(
    readonly deviceId: string,
    private readonly o: ExecutorOptions,
  ) {
    this.radio = new RadioSteps({ ...o, stopped: () => this.stopped });
  }

  get radioCommands(): number {
    return this.radio.commands;
  }

  attach(handle: LockHandle): void {
    this.handle = handle;
    this.kick();
  }
  get lockHandle(): LockHandle | null {
    return this.handle;
  }
  start(): void {
    // A write or clear may have been cut off by a crash or power cut after the slot was claimed:
    // what the hub last saw in those slots is no longer evidence, so they are read (or rewritten) first.
    this.o.journal.run((tx) => {
      for (const c of tx.store.codes({ deviceId: this.deviceId })) {
        if (c.slot !== null && (c.status === "setting" || c.status === "removing" || c.desired === "absent")) tx.store.forgetSlot(this.deviceId, c.slot);
      }
    });
    this.running ??= this.loop().catch((e: unknown) => this.o.logger.error({ err: e, device_id: this.deviceId }, "executor stopped on an unexpected error"));
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort(WAKE);
    await this.running;
    // Leave with an up-to-date checksum so the next start-up costs one round trip, not a full read.
    const lock = this.o.journal.store.lock(this.deviceId);
    if (this.handle && this.checksumDirty && lock?.online && lock.capabilities.supportsChecksum) {
      await Promise.race([this.refreshChecksum(this.handle), new Promise((r) => setTimeout(r, 1000))]);
    }
  }
  /** Writes since the hub last read the lock's checksum. */
  get checksumPending(): boolean {
    return this.checksumDirty;
  }
  /** Plan again now (state changed). */
  kick(): void {
    // Busy (planning, on the radio): note it, and the loop plans again instead of sleeping.
    // Only a sleeping loop needs waking; an abort per commit showed up in profiles.
    if (this.sleeping) this.wake.abort(WAKE);
    else this.kicked = true;
  }
  /** Read these slots soon (keypad notification, sync), ahead of planned work. */
  requestRead(slots: Iterable<number>): void {
    this.pendingReads.request(slots);
    this.kick();
  }
  /** Check the lock against the hub's records (checksum first) before any other radio work. */
  requestVerify(reason: "startup" | "periodic"): void {
    if (this.pendingVerify !== "startup") this.pendingVerify = reason;
    this.kick();
  }
  get queueDepth(): number {
    return this.pendingReads.size;
  }
  isWriting(accessCodeId: string): boolean {
    return this.radio.isWriting(accessCodeId);
  }
  /** The codes whose write is in flight (or ended < 15 s ago, slot -1), so a duplicate notification can be pinned on one. */
  get currentWrites(): readonly InFlightWrite[] {
    return this.radio.currentWrites;
  }
  /** The LOCK_DOOR / UNLOCK_DOOR attempt behind a remote operation the lock reports now (in flight, or ended < 15 s ago). */
  attemptFor(locked: boolean): string | null {
    return this.radio.attemptFor(locked);
  }
  /** Lock operations waiting: they go ahead of slot reads and syncs. */
  private operationsWaiting(): boolean {
    return this.o.journal.store.lockOperations(this.deviceId).length > 0;
  }

  private async loop(): Promise<void> {
    let outcome: Outcome | null = null;
    while (!this.stopped) {
      this.kicked = false;
      const lock = this.o.journal.store.lock(this.deviceId);
      if (!lock) return;
      const handle = this.handle;
      const background = handle !== null && lock.online && !outcome && !this.operationsWaiting();
      if (background && this.pendingVerify) {
        const reason = this.pendingVerify;
        this.pendingVerify = null;
        const r = await this.verify(handle, reason);
        if (r) this.lastVerify = { reason, ...r, at: this.o.clock.now() };
        continue;
      }
      if (background && this.pendingReads.size) {
        const requested = this.pendingReads.take()!;
        await this.read(handle, requested.slot, () => this.pendingReads.failed(requested));
        continue;
      }
      // What the lock said about the last command and the plan that follows commit together.
      const done = outcome;
      outcome = null;
      const finished: FinishedOperation[] = [];
      const next = this.o.journal.run(
        (tx) => {
          if (done) this.record(tx, done, finished);
          return this.settle(tx, handle !== null, finished);
        },
        { relaxed: true },
      );
      for (const f of finished) this.o.onLockOperation?.(f.locked, f.status);
      if (next.radio && handle) {
        const step = next.radio;
        if (step.kind === "read_slot") await this.read(handle, step.slot);
        else if (step.kind === "operate_lock") outcome = { kind: "operation", step, result: await this.radio.operate(handle, step) };
        else if (step.kind === "write_slots") outcome = { kind: "batch", step, results: await this.radio.executeBatch(handle, step, this.batchContext()) };
        else outcome = { kind: "slot", step, result: await this.radio.execute(handle, step) };
        this.lastRadioAt = this.o.clock.now();
        continue;
      }
      const now = this.o.clock.now();
      if (handle && this.checksumDirty && lock.online && lock.capabilities.supportsChecksum) {
        // Refresh the hub's checksum once the lock has been quiet a moment, not after every write.
        if (now - this.lastRadioAt >= CHECKSUM_QUIET_MS) {
          await this.refreshChecksum(handle);
          continue;
        }
        await this.sleep(this.lastRadioAt + CHECKSUM_QUIET_MS - now);
        continue;
      }
      const sleepMs = Math.min(this.o.maxSleepMs, next.wakeAt === null ? this.o.maxSleepMs : Math.max(0, next.wakeAt - now));
      await this.sleep(sleepMs);
    }
  }

  /** Sleep until `ms` pass or a kick; a kick that came while busy ends it at once. */
  private async sleep(ms: number): Promise<void> {
    if (this.kicked || this.stopped) return;
    // A controller per sleep, not per pass: only a sleeping loop is ever aborted.
    this.wake = new AbortController();
    this.sleeping = true;
    try {
      await this.o.clock.sleep(ms, this.wake.signal);
    } finally {
      this.sleeping = false;
    }
  }

  /**
   * Plan and apply store steps until the plan needs the radio or settles, inside one transaction.
   * Applying a step can enable the next (set_status, then its event), hence the bounded passes.
   */
  private settle(tx: Tx, hasHandle: boolean, finished: FinishedOperation[]): { radio: RadioStep | null; wakeAt: number | null } {
    for (let pass = 0; pass < 20; pass++) {
      const lock = tx.store.lock(this.deviceId);
      if (!lock) return { radio: null, wakeAt: null };
      const codes = tx.store.codes({ deviceId: this.deviceId });
      if (pass === 0 && this.o.backupPoolSize > 0 && codes.some((c) => c.useBackupAccessCodePool)) {
        if (maintainBackupPool(tx, lock, this.o.backupPoolSize, this.o.policy)) continue;
      }
      const p = plan({
        now: tx.now,
        lock: hasHandle ? lock : { ...lock, online: false },
        codes,
        slots: tx.store.slots(this.deviceId),
        unmanaged: tx.store.unmanaged({ deviceId: this.deviceId }),
        policy: this.o.policy,
        untilFirstRadioStep: true,
        settled: this.settled,
        operations: tx.store.lockOperations(this.deviceId),
        attached: hasHandle,
      });
      const firstRadio = p.steps.findIndex(isRadioStep);
      const storeSteps = (firstRadio < 0 ? p.steps : p.steps.slice(0, firstRadio)) as StoreStep[];
      finished.push(...applyStoreSteps(tx, storeSteps));
      if (firstRadio >= 0) return { radio: p.steps[firstRadio] as RadioStep, wakeAt: p.wakeAt };
      if (!storeSteps.length) return { radio: null, wakeAt: p.wakeAt };
    }
    this.o.logger.warn({ device_id: this.deviceId }, "plan did not settle after 20 passes; waiting");
    return { radio: null, wakeAt: tx.now + this.o.maxSleepMs };
  }

  /** What the hub believes each slot holds, so a lock that hides digits can prove a batch by its checksum. */
  private batchContext(): BatchContext {
    const slots = this.o.journal.store.slots(this.deviceId);
    return {
      believed: (slot) => {
        const held = slots.get(slot);
        if (!held) return undefined;
        return held.code ?? (held.masked ? undefined : null);
      },
    };
  }

  /** Record what the lock answered to the last radio command. */
  private record(tx: Tx, outcome: Outcome, finished: FinishedOperation[]): void {
    switch (outcome.kind) {
      case "operation": {
        const done = recordOperation(tx, outcome.step, outcome.result, this.o.maxBackoffMs);
        if (done) finished.push(done);
        return;
      }
      case "batch":
        for (const [i, w] of outcome.step.writes.entries()) {
          const step = { kind: "write_slot", accessCodeId: w.accessCodeId, slot: w.slot, code: w.code, schedule: null } as const;
          if (recordSlotCommand(tx, this.deviceId, step, outcome.results[i]!, this.o)) this.checksumDirty = true;
        }
        return;
      case "slot":
        if (recordSlotCommand(tx, this.deviceId, outcome.step, outcome.result, this.o)) this.checksumDirty = true;
    }
  }

  /** `retry`: on failure, queue the read again if it has attempts left (a slot the lock said changed); true when queued. */
  private async read(handle: LockHandle, slot: number, retry: () => boolean = () => false): Promise<void> {
    try {
      this.radio.commands++;
      const content = await handle.readSlot(slot);
      this.o.onRadioCommand?.("read_slot", true);
      this.observe({ slot, code: content.code ?? null, masked: content.code === undefined });
    } catch (e) {
      this.o.onRadioCommand?.("read_slot", false);
      const again = retry();
      this.o.logger.warn({ device_id: this.deviceId, slot, again, reason: e instanceof Error ? e.message : String(e) }, again ? "slot read failed; trying again" : "slot read failed");
      // Availability events decide about the lock; past the attempts the next sync or notification reads again.
      await this.sleep(Math.min(this.o.maxBackoffMs, 1000));
    }
  }

  /** Record an observation made without radio traffic (a report that carried the code). */
  observe(obs: Observation): void {
    this.o.journal.run(
      (tx) => {
        recordObservation(tx, this.deviceId, obs);
        tx.kick(this.deviceId);
      },
      { relaxed: true },
    );
  }

  private async refreshChecksum(handle: LockHandle): Promise<void> {
    this.checksumDirty = false;
    try {
      this.radio.commands++;
      const checksum = await handle.readChecksum();
      this.o.journal.run((tx) => tx.store.updateLock(this.deviceId, { checksum }));
    } catch (e) {
      this.o.logger.debug({ device_id: this.deviceId, reason: e instanceof Error ? e.message : String(e) }, "checksum refresh failed");
    }
  }

  /**
   * Start-up and periodic check: the bolt and door once at start-up (and periodically on mains locks),
   * then the codes (checksum first; read slots only when it differs or is missing). Null when a lock
   * operation interrupted the slot reads: the check resumes after it.
   */
  private async verify(handle: LockHandle, reason: "startup" | "periodic"): Promise<{ roundTrips: number; fullRead: boolean } | null> {
    const store = this.o.journal.store;
    const lock = store.lock(this.deviceId);
    if (!lock) return { roundTrips: 0, fullRead: false };
    const caps = handle.capabilities();
    const poll = this.o.pollBatteryLocks || !lock.isBattery;
    let roundTrips = 0;
    if (this.syncFrom === 1 && (reason === "startup" || poll) && handle.lockControls().remoteLock) {
      roundTrips++;
      await this.readLockState(handle);
    }
    if (caps.supportsChecksum) {
      roundTrips++;
      this.radio.commands++;
      const checksum = await handle.readChecksum().catch(() => undefined);
      if (checksum === undefined) return { roundTrips, fullRead: false };
      if (checksum === lock.checksum && lock.slotsSynced) return { roundTrips, fullRead: false };
      this.o.logger.info({ device_id: this.deviceId, reason }, lock.slotsSynced ? "user-code checksum differs; reading slots" : "first sync; reading slots");
      if (!(await this.fullRead(handle, caps.slotCount))) return this.resumeLater(reason);
      this.o.journal.run((tx) => tx.store.updateLock(this.deviceId, { checksum, slotsSynced: true }));
      return { roundTrips: roundTrips + caps.slotCount, fullRead: true };
    }
    // Without a checksum, knowing means reading every slot. A battery lock pays for that only on its
    // first sync (or when configured to); after that it is reconciled from its keypad notifications.
    const mayRead = poll || (reason === "startup" && !lock.slotsSynced);
    if (!mayRead || caps.readback === "status_only") {
      if (!lock.slotsSynced && caps.readback === "status_only") this.o.journal.run((tx) => tx.store.updateLock(this.deviceId, { slotsSynced: true }));
      return { roundTrips, fullRead: false };
    }
    if (!(await this.fullRead(handle, caps.slotCount))) return this.resumeLater(reason);
    this.o.journal.run((tx) => tx.store.updateLock(this.deviceId, { slotsSynced: true }));
    return { roundTrips: roundTrips + caps.slotCount, fullRead: true };
  }

  /** Reads every slot, from where an interrupted read stopped; false when a lock operation (or stop) came first. */
  private async fullRead(handle: LockHandle, slotCount: number): Promise<boolean> {
    for (let slot = this.syncFrom; slot <= slotCount; slot++) {
      if (this.stopped) return false;
      if (this.operationsWaiting()) {
        this.syncFrom = slot;
        return false;
      }
      await this.read(handle, slot);
    }
    this.syncFrom = 1;
    return true;
  }

  private resumeLater(reason: "startup" | "periodic"): null {
    this.pendingVerify ??= reason;
    return null;
  }

  /** One read of the bolt and the door, recorded as an observation. */
  private async readLockState(handle: LockHandle): Promise<void> {
    this.radio.commands++;
    try {
      const state = await handle.readLockState();
      this.o.onRadioCommand?.("read_lock_state", true);
      this.o.journal.run((tx) => recordLockState(tx, this.deviceId, state, handle.lockControls()), { relaxed: true });
    } catch (e) {
      this.o.onRadioCommand?.("read_lock_state", false);
      this.o.logger.warn({ device_id: this.deviceId, reason: e instanceof Error ? e.message : String(e) }, "lock state read failed");
    }
  }
}
