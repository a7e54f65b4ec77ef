import type { LockSimulator } from "../../drivers/contract.js";
import type { HubConfig } from "../config/schema.js";
import type { ActionAttemptRecord, CodeRecord, LockRecord, UnmanagedRecord } from "../store/records.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../util/clock.js";
import type { TimingPolicy } from "../codes/timing.js";
import { shapeAccessCode, shapeDevice, shapeUnmanaged, type SeamObject } from "./shape.js";

/** What route handlers may use besides the store: configuration, time, simulators, hub status. */
export interface ApiContext {
  readonly config: HubConfig;
  readonly clock: Clock;
  readonly policy: TimingPolicy;
  simulatorFor(lock: LockRecord): LockSimulator | undefined;
  /** Whether the lock's radio has brought it up in this run (its executor has a handle). */
  lockAttached(deviceId: string): boolean;
  status(): Record<string, unknown>;
  /** Records an action attempt outside a request's transaction (simulation paths, which await the simulator). */
  recordActionAttempt(a: { type: string; deviceId: string }): ActionAttemptRecord;
}

/** Seam views of store records, with the live context each needs. */
export class Shaper {
  constructor(
    private readonly ctx: ApiContext,
    private readonly store: Store,
  ) {}
  code(c: CodeRecord, lock: LockRecord | undefined = this.store.lock(c.deviceId)): SeamObject {
    const backupAvailable = c.useBackupAccessCodePool && this.store.codes({ deviceId: c.deviceId }).some((b) => b.isBackup && b.backupState === "pool" && b.status === "set");
    return shapeAccessCode(c, {
      workspaceId: this.ctx.config.workspace_id,
      nowMs: this.ctx.clock.now(),
      lock,
      programAheadMs: this.ctx.policy.programAheadMs,
      nativeAheadMs: this.ctx.policy.nativeAheadMs,
      backupAvailable,
    });
  }
  device(l: LockRecord): SeamObject {
    return shapeDevice(l, {
      workspaceId: this.ctx.config.workspace_id,
      connectedAccountId: this.ctx.config.connected_account_id,
      nowIso: new Date(this.ctx.clock.now()).toISOString(),
      allowRemoteUnlock: this.ctx.config.allow_remote_unlock,
    });
  }
  unmanaged(u: UnmanagedRecord): SeamObject {
    return shapeUnmanaged(u, this.ctx.config.workspace_id);
  }
  /** Managed codes as Seam lists them: pool backups stay hidden until pulled. */
  visibleCodes(filter: { deviceId?: string; ids?: readonly string[] } = {}): CodeRecord[] {
    return this.store.codes(filter).filter((c) => !(c.isBackup && c.backupState === "pool"));
  }
}
