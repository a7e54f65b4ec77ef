import type { LockHandle, RadioResult } from "../../drivers/contract.js";
import { RadioError } from "../../drivers/contract.js";
import type { Journal } from "../events/journal.js";
import type { Logger } from "../log.js";
import type { Clock } from "../util/clock.js";
import { maintainBackupPool } from "../codes/backup.js";
import { applyStoreSteps, withIssue } from "./apply.js";
import type { Observation } from "./classify.js";
import { recordObservation } from "./observe.js";
import { plan, type ReconcilePolicy } from "./planner.js";
import { isRadioStep, type RadioStep, type StoreStep } from "./steps.js";

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
}

/**
 * One per lock: serialises every radio command to that lock (one in flight), applies the planner's
 * store steps, runs its radio steps with bounded retries, and records what the lock said.
 */
export class LockExecutor {
  private handle: LockHandle | null = null;
  private wake = new AbortController();
  private stopped = false;
  private running: Promise<void> | null = null;
  private readonly pendingReads = new Set<number>();
  private checksumDirty = false;
  private pendingVerify: "startup" | "periodic" | null = null;
  /** Cost of the last start-up or periodic check, for /hub/status and benchmarks. */
  lastVerify: { reason: string; roundTrips: number; fullRead: boolean; at: number } | null = null;
  /** The code whose write is in flight, so a duplicate notification can be pinned on it. */
  private writing: { accessCodeId: string; slot: number } | null = null;
  private lastWrite: { accessCodeId: string; at: number } | null = null;
  radioCommands = 0;

  constructor(
    readonly deviceId: string,
    private readonly o: ExecutorOptions,
  ) {}

  attach(handle: LockHandle): void {
    this.handle = handle;
    this.kick();
  }
  get lockHandle(): LockHandle | null {
    return this.handle;
  }
  start(): void {
    this.running ??= this.loop().catch((e: unknown) => this.o.logger.error({ err: e, device_id: this.deviceId }, "executor stopped on an unexpected error"));
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    await this.running;
  }
  /** Plan again now (state changed). */
  kick(): void {
    this.wake.abort();
  }
  /** Read these slots soon (keypad notification, sync), ahead of planned work. */
  requestRead(slots: Iterable<number>): void {
    for (const s of slots) this.pendingReads.add(s);
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
  get currentWrite(): { accessCodeId: string; slot: number } | null {
    return this.writing ?? (this.lastWrite && this.o.clock.now() - this.lastWrite.at < 15_000 ? { accessCodeId: this.lastWrite.accessCodeId, slot: -1 } : null);
  }

  private async loop(): Promise<void> {
    let idleSpins = 0;
    while (!this.stopped) {
      this.wake = new AbortController();
      const lock = this.o.journal.store.lock(this.deviceId);
      if (!lock) return;
      const handle = this.handle;
      if (handle && lock.online && this.pendingVerify) {
        const reason = this.pendingVerify;
        this.pendingVerify = null;
        const r = await this.verify(handle, reason);
        this.lastVerify = { reason, ...r, at: this.o.clock.now() };
        continue;
      }
      if (handle && lock.online && this.pendingReads.size) {
        const slot = this.pendingReads.values().next().value as number;
        this.pendingReads.delete(slot);
        await this.read(handle, slot);
        continue;
      }
      const now = this.o.clock.now();
      const store = this.o.journal.store;
      if (this.o.backupPoolSize > 0 && store.codes({ deviceId: this.deviceId }).some((c) => c.useBackupAccessCodePool)) {
        this.o.journal.run((tx) => maintainBackupPool(tx, lock, this.o.backupPoolSize, this.o.policy));
      }
      const p = plan({
        now,
        lock: handle ? lock : { ...lock, online: false },
        codes: store.codes({ deviceId: this.deviceId }),
        slots: new Map(store.slots(this.deviceId).map((s) => [s.slot, s])),
        unmanaged: store.unmanaged({ deviceId: this.deviceId }),
        policy: this.o.policy,
      });
      const firstRadio = p.steps.findIndex(isRadioStep);
      const storeSteps = (firstRadio < 0 ? p.steps : p.steps.slice(0, firstRadio)) as StoreStep[];
      if (storeSteps.length) this.o.journal.run((tx) => applyStoreSteps(tx, storeSteps));
      if (firstRadio >= 0 && handle) {
        idleSpins = 0;
        await this.runRadio(handle, p.steps[firstRadio] as RadioStep);
        continue;
      }
      if (storeSteps.length && ++idleSpins < 20) continue;
      idleSpins = 0;
      if (handle && this.checksumDirty && lock.online && lock.capabilities.supportsChecksum) {
        await this.refreshChecksum(handle);
        continue;
      }
      const sleepMs = Math.min(this.o.maxSleepMs, p.wakeAt === null ? this.o.maxSleepMs : Math.max(0, p.wakeAt - now));
      await this.o.clock.sleep(sleepMs, this.wake.signal);
    }
  }

  /** Run one radio step with a few quick retries for silence; then record the outcome. */
  private async runRadio(handle: LockHandle, step: RadioStep): Promise<void> {
    if (step.kind === "read_slot") return this.read(handle, step.slot);
    let result: RadioResult = { ok: false, failure: "timeout", message: "not attempted" };
    for (let attempt = 0; attempt <= this.o.quickRetries && !this.stopped; attempt++) {
      if (attempt) await this.o.clock.sleep(this.o.quickRetryDelayMs * 2 ** (attempt - 1));
      if (step.kind === "write_slot") {
        this.writing = { accessCodeId: step.accessCodeId, slot: step.slot };
        result = await this.command(() => handle.writeSlot(step.slot, step.code, step.schedule ? { startsAt: new Date(step.schedule.startsAt), endsAt: new Date(step.schedule.endsAt) } : undefined), step.kind);
        this.writing = null;
        this.lastWrite = { accessCodeId: step.accessCodeId, at: this.o.clock.now() };
      } else {
        result = await this.command(() => handle.clearSlot(step.slot), step.kind);
      }
      if (result.ok || (result.failure !== "timeout" && result.failure !== "mismatch")) break;
    }
    this.o.journal.run((tx) => {
      const store = tx.store;
      const code = step.accessCodeId ? store.code(step.accessCodeId) : undefined;
      if (result.ok) {
        this.checksumDirty = true;
        if (step.kind === "write_slot") {
          store.putSlot({ deviceId: this.deviceId, slot: step.slot, code: step.code, masked: result.proof === "status", schedule: step.schedule, observedAt: tx.nowIso });
        } else {
          // Through classification, so a cleared unmanaged code is reported gone.
          recordObservation(tx, this.deviceId, { slot: step.slot, code: null, masked: false });
        }
        store.updateLock(this.deviceId, { readbackProof: result.proof });
        if (code) store.updateCode(code.accessCodeId, { attempts: 0, nextAttemptAt: null });
        tx.kick(this.deviceId);
        if (code) tx.code(code.accessCodeId, this.deviceId);
        return;
      }
      if (!code) return;
      const setting = step.kind === "write_slot";
      const definite = result.failure === "duplicate" || result.failure === "rejected";
      this.o.logger.warn({ device_id: this.deviceId, access_code_id: code.accessCodeId, slot: step.slot, failure: result.failure, reason: result.message }, `lock did not ${setting ? "accept" : "clear"} the code`);
      if (definite) {
        const issue =
          result.failure === "duplicate"
            ? { level: "error" as const, code: "duplicate_code_on_device", message: "The lock refused the code because it already holds the same code in another slot." }
            : { level: "error" as const, code: setting ? "failed_to_set_on_device" : "failed_to_remove_from_device", message: `The lock refused the ${setting ? "code" : "removal"}: ${result.message}` };
        const issues = withIssue(code, issue, tx.nowIso);
        store.updateCode(code.accessCodeId, { ...issues, gaveUp: true, attemptStartedAt: null, nextAttemptAt: null, updatedAt: tx.nowIso });
        tx.emit(setting ? "access_code.failed_to_set_on_device" : "access_code.failed_to_remove_from_device", {
          deviceId: this.deviceId,
          accessCodeId: code.accessCodeId,
          codeIssues: [...issues.errors, ...issues.warnings],
        });
        tx.code(code.accessCodeId, this.deviceId);
        return;
      }
      const attempts = code.attempts + 1;
      const backoff = Math.min(this.o.maxBackoffMs, 1000 * 2 ** Math.min(attempts, 16));
      store.updateCode(code.accessCodeId, { attempts, nextAttemptAt: tx.now + backoff });
    });
  }

  private async read(handle: LockHandle, slot: number): Promise<void> {
    try {
      this.radioCommands++;
      const content = await handle.readSlot(slot);
      this.o.onRadioCommand?.("read_slot", true);
      this.observe({ slot, code: content.code ?? null, masked: content.code === undefined });
    } catch (e) {
      this.o.onRadioCommand?.("read_slot", false);
      this.o.logger.warn({ device_id: this.deviceId, slot, reason: e instanceof Error ? e.message : String(e) }, "slot read failed");
      // Leave it: availability events decide about the lock; the next sync or notification reads again.
      await this.o.clock.sleep(Math.min(this.o.maxBackoffMs, 1000), this.wake.signal);
    }
  }

  /** Record an observation made without radio traffic (a report that carried the code). */
  observe(obs: Observation): void {
    this.o.journal.run((tx) => {
      recordObservation(tx, this.deviceId, obs);
      tx.kick(this.deviceId);
    });
  }

  private async command(fn: () => Promise<RadioResult>, kind: string): Promise<RadioResult> {
    this.radioCommands++;
    try {
      const r = await fn();
      this.o.onRadioCommand?.(kind, r.ok);
      return r;
    } catch (e) {
      this.o.onRadioCommand?.(kind, false);
      if (e instanceof RadioError) return { ok: false, failure: e.failure, message: e.message };
      return { ok: false, failure: "timeout", message: e instanceof Error ? e.message : String(e) };
    }
  }

  private async refreshChecksum(handle: LockHandle): Promise<void> {
    this.checksumDirty = false;
    try {
      this.radioCommands++;
      const checksum = await handle.readChecksum();
      this.o.journal.run((tx) => tx.store.updateLock(this.deviceId, { checksum }));
    } catch (e) {
      this.o.logger.debug({ device_id: this.deviceId, reason: e instanceof Error ? e.message : String(e) }, "checksum refresh failed");
    }
  }

  /** Start-up and periodic check (protocol: checksum first; read slots only when it differs or is missing). */
  private async verify(handle: LockHandle, reason: "startup" | "periodic"): Promise<{ roundTrips: number; fullRead: boolean }> {
    const store = this.o.journal.store;
    const lock = store.lock(this.deviceId);
    if (!lock) return { roundTrips: 0, fullRead: false };
    const caps = handle.capabilities();
    let roundTrips = 0;
    if (caps.supportsChecksum) {
      roundTrips++;
      this.radioCommands++;
      const checksum = await handle.readChecksum().catch(() => undefined);
      if (checksum === undefined) return { roundTrips, fullRead: false };
      if (checksum === lock.checksum && lock.slotsSynced) return { roundTrips, fullRead: false };
      this.o.logger.info({ device_id: this.deviceId, reason }, lock.slotsSynced ? "user-code checksum differs; reading slots" : "first sync; reading slots");
      await this.fullRead(handle, caps.slotCount);
      this.o.journal.run((tx) => tx.store.updateLock(this.deviceId, { checksum, slotsSynced: true }));
      return { roundTrips: roundTrips + caps.slotCount, fullRead: true };
    }
    const poll = this.o.pollBatteryLocks || !lock.isBattery;
    const mayRead = reason === "startup" || poll;
    if (!mayRead || caps.readback === "status_only") {
      if (!lock.slotsSynced && caps.readback === "status_only") this.o.journal.run((tx) => tx.store.updateLock(this.deviceId, { slotsSynced: true }));
      return { roundTrips, fullRead: false };
    }
    await this.fullRead(handle, caps.slotCount);
    this.o.journal.run((tx) => tx.store.updateLock(this.deviceId, { slotsSynced: true }));
    return { roundTrips: roundTrips + caps.slotCount, fullRead: true };
  }

  private async fullRead(handle: LockHandle, slotCount: number): Promise<void> {
    for (let slot = 1; slot <= slotCount && !this.stopped; slot++) await this.read(handle, slot);
  }
}
