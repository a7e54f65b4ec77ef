import type { DriverEvent, LockDriver, LockHandle, LockMethod } from "../../drivers/contract.js";
import type { Journal } from "../events/journal.js";
import type { Logger } from "../log.js";
import type { LockRecord } from "../store/records.js";
import type { Clock } from "../util/clock.js";
import { uuidV5 } from "../util/uuid.js";
import { withIssue } from "./apply.js";
import { accessDenied, batteryLevel, batteryLow, codeInSlot, tampered } from "./door-events.js";
import { LockExecutor, type ExecutorOptions } from "./executor.js";
import { prepareReplacement, purgeLock } from "./lifecycle.js";
import { recordLockState } from "./observe.js";

export const deviceIdFor = (radioId: string) => uuidV5(radioId);

/**
 * Owns one executor per lock, turns driver events into observations and Seam events,
 * and runs the periodic (checksum-only) check.
 */
export class LockRegistry {
  private readonly executors = new Map<string, LockExecutor>();
  private readonly drivers: LockDriver[] = [];
  private readonly stopPeriodic = new AbortController();

  constructor(
    private readonly journal: Journal,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly executorOptions: Omit<ExecutorOptions, "journal" | "clock" | "logger">,
    private readonly reconcileIntervalMs: number,
  ) {
    journal.bus.on((changes) => {
      for (const id of changes.kicks) this.executors.get(id)?.kick();
    });
  }

  /** Start executors for locks already known, so their codes are planned (offline) before radios are up. */
  start(): void {
    for (const lock of this.journal.store.locks()) this.executorFor(lock.deviceId);
    void this.periodicLoop();
  }

  attachDriver(driver: LockDriver): void {
    this.drivers.push(driver);
    driver.onEvent((e) => {
      try {
        this.onDriverEvent(e);
      } catch (err) {
        this.logger.error({ err, event: e.type }, "failed to handle a driver event");
      }
    });
  }

  async stop(): Promise<void> {
    this.stopPeriodic.abort();
    await Promise.all([...this.executors.values()].map((e) => e.stop()));
  }

  /** The periodic check runs on the injected clock, so a simulated day costs no real time in tests. */
  private async periodicLoop(): Promise<void> {
    const signal = this.stopPeriodic.signal;
    while (!signal.aborted) {
      await this.clock.sleep(this.reconcileIntervalMs, signal);
      if (signal.aborted) return;
      for (const ex of this.executors.values()) if (ex.lockHandle) ex.requestVerify("periodic");
    }
  }

  /** A lock removed through pairing: its codes and the device are deleted (agent/reconcile/lifecycle.ts). */
  purge(deviceId: string): boolean {
    const purged = this.journal.run((tx) => purgeLock(tx, deviceId));
    const ex = this.executors.get(deviceId);
    this.executors.delete(deviceId);
    // Its loop ends by itself once the lock row is gone.
    if (ex) void ex.stop().catch(() => undefined);
    return purged;
  }

  /** A new lock took this device's place (same radio id): every managed code is programmed onto it. */
  prepareReplacement(deviceId: string): boolean {
    return this.journal.run((tx) => prepareReplacement(tx, deviceId));
  }

  executor(deviceId: string): LockExecutor | undefined {
    return this.executors.get(deviceId);
  }
  all(): LockExecutor[] {
    return [...this.executors.values()];
  }

  private executorFor(deviceId: string): LockExecutor {
    let ex = this.executors.get(deviceId);
    if (!ex) {
      ex = new LockExecutor(deviceId, { ...this.executorOptions, journal: this.journal, clock: this.clock, logger: this.logger });
      this.executors.set(deviceId, ex);
      ex.start();
    }
    return ex;
  }

  private byRadio(radioId: string): LockRecord | undefined {
    return this.journal.store.lockByRadio(radioId);
  }

  private onDriverEvent(e: DriverEvent): void {
    if (e.type === "lock_ready") return this.onLockReady(e.lock);
    const lock = this.byRadio(e.radioId);
    if (!lock) return;
    const ex = this.executorFor(lock.deviceId);
    switch (e.type) {
      case "slot_changed":
        if (e.code !== undefined) ex.observe({ slot: e.slot, code: e.code, masked: false });
        else if (e.cause === "keypad_deleted") ex.observe({ slot: e.slot, code: null, masked: false });
        // A lock that masks digits would answer a read with "occupied" only: the keypad's word is all there is.
        else if (e.cause === "keypad_added" && lock.capabilities.readback === "status_only") ex.observe({ slot: e.slot, code: null, masked: true, changedAtKeypad: true });
        else ex.requestRead([e.slot]);
        return;
      case "all_slots_cleared":
        for (let slot = 1; slot <= lock.capabilities.slotCount; slot++) ex.observe({ slot, code: null, masked: false });
        return;
      case "duplicate_refused":
        return this.onDuplicate(lock, ex, e.slot);
      case "lock_operation":
        return this.onOperation(lock, e.action, e.method, e.slot, e.method === "remote" ? ex.attemptFor(e.action === "locked") : null);
      case "availability":
        return this.setOnline(lock, e.online);
      case "battery":
        return this.journal.run((tx) => batteryLevel(tx, lock, e.level));
      case "battery_low":
        if (!this.journal.run((tx) => batteryLow(tx, lock))) this.logger.warn({ device_id: lock.deviceId }, "the lock reports a low battery but no level yet");
        return;
      case "lock_state":
        return this.journal.run((tx) => recordLockState(tx, lock.deviceId, e.state, ex.lockHandle?.lockControls()), { relaxed: true });
      case "access_denied":
        return this.journal.run((tx) => accessDenied(tx, lock, e.slot));
      case "tampered":
        this.logger.warn({ device_id: lock.deviceId, cause: e.cause }, e.cause === "keypad_lockout" ? "keypad locked out after wrong codes" : "lock reports tampering");
        return this.journal.run((tx) => tampered(tx, lock));
      case "lock_removed":
        this.journal.run((tx) => {
          const issue = { level: "error" as const, code: "device_removed", message: "The lock was excluded from the radio network.", createdAt: tx.nowIso };
          tx.store.updateLock(lock.deviceId, { removed: true, online: false, errors: [...lock.errors.filter((i) => i.code !== "device_removed"), issue] });
          tx.emit("device.removed", { deviceId: lock.deviceId });
          tx.device(lock.deviceId);
          tx.kick(lock.deviceId); // pending lock operations end
          for (const c of tx.store.codes({ deviceId: lock.deviceId })) tx.code(c.accessCodeId, lock.deviceId);
        });
        return;
    }
  }

  private onLockReady(handle: LockHandle): void {
    const id = handle.identity;
    const deviceId = deviceIdFor(id.radioId);
    const caps = handle.capabilities();
    this.journal.run((tx) => {
      const existing = tx.store.lock(deviceId);
      if (!existing) {
        tx.store.insertLock({
          deviceId,
          radioId: id.radioId,
          protocol: id.protocol,
          name: id.name,
          manufacturer: id.manufacturer,
          model: id.model,
          simulated: id.simulated,
          isBattery: id.isBattery,
          capabilities: caps,
          reportedCodeLengths: null,
          online: handle.isOnline(),
          removed: false,
          batteryLevel: handle.batteryLevel() === null ? null : handle.batteryLevel()! / 100,
          checksum: null,
          slotsSynced: false,
          readbackProof: null,
          errors: [],
          createdAt: tx.nowIso,
          lockState: handle.lockState(),
          lockControls: handle.lockControls(),
          batteryLow: false,
        });
        tx.emit("device.added", { deviceId });
      } else {
        // What the driver already knows of the bolt and door (zwave-js's cache) is newer than the stored state.
        const known = handle.lockState();
        const lockState = { locked: known.locked ?? existing.lockState.locked, doorOpen: known.doorOpen ?? existing.lockState.doorOpen };
        tx.store.updateLock(deviceId, {
          capabilities: caps,
          name: id.name,
          removed: false,
          errors: existing.errors.filter((i) => i.code !== "device_removed"),
          lockControls: handle.lockControls(),
          lockState,
        });
      }
      tx.device(deviceId);
    });
    // A known lock that comes back (its radio restarted, its controller was replugged) is reported like any reconnection.
    const known = this.journal.store.lock(deviceId);
    if (known) this.setOnline(known, handle.isOnline());
    const ex = this.executorFor(deviceId);
    ex.attach(handle);
    ex.requestVerify("startup");
    this.logger.info({ device_id: deviceId, radio_id: id.radioId, slots: caps.slotCount, checksum: caps.supportsChecksum }, "lock ready");
  }

  private setOnline(lock: LockRecord, online: boolean): void {
    if (lock.online === online) return;
    this.journal.run((tx) => {
      tx.store.updateLock(lock.deviceId, { online });
      tx.emit(online ? "device.connected" : "device.disconnected", {
        deviceId: lock.deviceId,
        deviceIssues: online ? [] : [{ level: "error", code: "device_offline", message: "The lock is not answering the hub's radio.", createdAt: tx.nowIso }],
      });
      tx.device(lock.deviceId);
      for (const c of tx.store.codes({ deviceId: lock.deviceId })) tx.code(c.accessCodeId, lock.deviceId);
    });
    this.logger.info({ device_id: lock.deviceId, online }, online ? "lock back online" : "lock offline");
  }

  private onDuplicate(lock: LockRecord, ex: LockExecutor, slot: number | null): void {
    const codes = this.journal.store.codes({ deviceId: lock.deviceId });
    // A notice without a slot can only be pinned on a write when one code was in flight, not a batch.
    const inFlight = ex.currentWrites;
    const only = inFlight.length === 1 ? inFlight[0]!.accessCodeId : null;
    const target = codes.find((c) => c.status === "setting" && ((slot !== null && c.slot === slot) || c.accessCodeId === only));
    if (!target) {
      this.logger.info({ device_id: lock.deviceId, slot }, "lock refused a duplicate code entered at the keypad");
      return;
    }
    // The write in flight gets the refusal as its own result; the executor reports it once.
    if (ex.isWriting(target.accessCodeId)) return;
    if (target.gaveUp && target.errors.some((e) => e.code === "duplicate_code_on_device")) return;
    const alreadyReported = target.gaveUp;
    this.journal.run((tx) => {
      const clash = tx.store.unmanaged({ deviceId: lock.deviceId }).find((u) => u.code === target.code);
      const other = codes.find((c) => c.accessCodeId !== target.accessCodeId && c.code === target.code);
      const issues = withIssue(
        target,
        {
          level: "error",
          code: "duplicate_code_on_device",
          message: "The lock refused the code because it already holds the same code in another slot.",
          extra: { ...(clash ? { unmanaged_access_code_id: clash.accessCodeId } : {}), ...(other ? { managed_access_code_id: other.accessCodeId } : {}) },
        },
        tx.nowIso,
      );
      tx.store.updateCode(target.accessCodeId, { ...issues, gaveUp: true, attemptStartedAt: null, nextAttemptAt: null, updatedAt: tx.nowIso });
      // A late notice for a write already reported as failed only names the cause.
      if (!alreadyReported) tx.emit("access_code.failed_to_set_on_device", { deviceId: lock.deviceId, accessCodeId: target.accessCodeId, codeIssues: [...issues.errors, ...issues.warnings] });
      tx.code(target.accessCodeId, lock.deviceId);
    });
  }

  private onOperation(lock: LockRecord, action: "locked" | "unlocked", method: LockMethod, slot: number | null, actionAttemptId: string | null): void {
    this.journal.run((tx) => {
      const code = codeInSlot(tx, lock.deviceId, slot);
      const managed = code?.managed ?? undefined;
      tx.emit(action === "unlocked" ? "lock.unlocked" : "lock.locked", {
        deviceId: lock.deviceId,
        method,
        ...(code ? { accessCodeId: code.accessCodeId, accessCodeIsManaged: Boolean(managed) } : {}),
        ...(actionAttemptId ? { actionAttemptId } : {}),
      });
      if (managed?.isOneTimeUse && action === "unlocked" && method === "keycode") {
        // First use of a one-time code: take it off the lock and delete it.
        tx.store.updateCode(managed.accessCodeId, { desired: "absent", updatedAt: tx.nowIso });
        tx.code(managed.accessCodeId, lock.deviceId);
      }
    });
  }
}
