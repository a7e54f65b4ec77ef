// One Zigbee lock behind the contract's LockHandle: user slots over the Door Lock cluster, one bounded
// attempt per call (the hub's executor owns retries), and the proof rules of protocol.md §3.
import type { Models } from "zigbee-herdsman";
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
  type RadioResult,
  type SlotContent,
  type SlotSchedule,
  type SlotWrite,
} from "../contract.js";
import { writeEachSlot } from "../write-each.js";
import { decodePinReply, decodeStatusReply, type PinReply } from "./decode.js";
import { LOCK_REPORT_WAIT_MS, ZigbeeDoor } from "./door-control.js";
import {
  DOOR_LOCK,
  DoorLockStatus,
  UserStatus,
  UserType,
  failure,
  isOccupied,
  pinToBuffer,
  statusFailure,
} from "./door-lock.js";
import type { LockProfile, ProfileStore, ReadbackLimit } from "./profile-store.js";
import { classifyRadioError } from "./radio-errors.js";
import { RfChanges, provenByEvent, type RfChange } from "./rf-changes.js";
import { slotProblem as slotError } from "../write-checks.js";
import { slotProblem, writeProblem } from "./write-checks.js";
import { DuplicateAlarms } from "./duplicate-alarms.js";
import { SlotSchedules, type CommandOptions, type StatusOutcome } from "./slot-schedules.js";

export interface HandleContext {
  readonly identity: LockIdentity;
  readonly ieee: string;
  readonly profiles: ProfileStore;
  readonly timeoutMs: number;
  readonly logger: DriverLogger;
  readonly emit: DriverEventListener;
  /** Looked up per call: herdsman may rebuild the device after a rejoin. */
  readonly endpoint: () => Models.Endpoint | undefined;
}

/** A lock that confirms changes by RF programming events sends it right after its response; past this, read back. */
const RF_EVENT_WAIT_MS = 1_500;

type PinAnswer = Extract<PinReply, { kind: "pin" }>;

export class ZigbeeLockHandle implements LockHandle {
  readonly identity: LockIdentity;
  /** The bolt and the door (door-control.ts); lock-events.ts feeds it the lock's reports. */
  readonly door: ZigbeeDoor;
  private online = true;
  private readonly duplicateAlarms = new DuplicateAlarms();
  private readonly rfChanges = new RfChanges();
  private readonly schedules = new SlotSchedules(
    () => this.profile,
    (change) => this.updateProfile(change),
    (label, op) => this.statusCommand(label, op),
  );

  constructor(
    private readonly ctx: HandleContext,
    private profile: LockProfile,
  ) {
    this.identity = ctx.identity;
    this.door = new ZigbeeDoor(ctx.identity.radioId, ctx.emit, () => this.profile, (change) => this.updateProfile(change));
  }

  capabilities(): LockCapabilities {
    return this.profile.capabilities;
  }

  isOnline(): boolean {
    return this.online;
  }

  /** Zigbee 3.0 encrypts every network frame with the network key; a lock has no class of its own. */
  securityClass(): string {
    return "network_key";
  }

  batteryLevel(): number | null {
    return this.profile.battery;
  }

  async readSlot(slot: number): Promise<SlotContent> {
    this.assertSlot(slot);
    // Known never to answer getPinCode: every read would only wait out its timeout.
    if (this.profile.readbackLimit === "no_get_pin_code_answer") return { slot, code: undefined };
    const reply = await this.getPin(slot);
    return { slot, code: reply === "silent" ? undefined : this.heldCode(reply) };
  }

  /** Zigbee has no user-code checksum. */
  async readChecksum(): Promise<number | null> {
    return null;
  }

  async writeSlot(slot: number, code: string, schedule?: SlotSchedule): Promise<RadioResult> {
    const invalid = writeProblem(this.profile.capabilities, slot, code, schedule);
    if (invalid) return invalid;
    const sentAt = Date.now();
    this.rfChanges.changing(slot);
    const outcome = await this.duplicateAlarms.during(async () => {
      const sent = await this.sendPinCode(slot, code, schedule);
      return typeof sent === "object" ? this.writeFailure(sent, slot, sentAt) : sent;
    });
    if (typeof outcome === "object") return outcome;
    const scheduled = await this.schedules.apply(slot, schedule);
    if (scheduled) return scheduled;
    return this.confirm(slot, code, outcome === "unconfirmed");
  }

  private sendPinCode(slot: number, code: string, schedule: SlotSchedule | undefined): Promise<StatusOutcome> {
    return this.statusCommand("setPinCode", (ep, o) =>
      ep.command(
        DOOR_LOCK,
        "setPinCode",
        {
          userid: slot,
          userstatus: UserStatus.ENABLED,
          // A year-day user is only let in inside its schedule; everyone else at any time.
          usertype: schedule ? UserType.YEAR_DAY_SCHEDULE : UserType.UNRESTRICTED,
          pincodevalue: pinToBuffer(code),
        },
        o,
      ),
    );
  }

  /** The Door Lock cluster sets one PIN per command: a batch is written code by code. */
  async writeSlots(writes: readonly SlotWrite[]): Promise<readonly RadioResult[]> {
    return writeEachSlot(this, writes);
  }

  async clearSlot(slot: number): Promise<RadioResult> {
    const invalid = slotProblem(this.profile.capabilities, slot);
    if (invalid) return invalid;
    this.rfChanges.changing(slot);
    const outcome = await this.statusCommand("clearPinCode", (ep, o) => ep.command(DOOR_LOCK, "clearPinCode", { userid: slot }, o));
    if (typeof outcome === "object") return outcome.result;
    // The PIN, which is what grants access, is gone; a schedule left behind is logged, not a failure:
    // the next write of this slot replaces or clears it.
    if (this.schedules.mayHold(slot) && typeof (await this.schedules.clear(slot)) === "object") {
      this.ctx.logger.warn({ radioId: this.identity.radioId, slot }, "schedule not cleared");
    }
    return this.confirm(slot, null, outcome === "unconfirmed");
  }

  // ---- the bolt and the door (protocol.md §8) --------------------------------------------------

  lockControls(): LockControls {
    return this.door.controls();
  }

  lockState(): LockState {
    return this.door.reports.state;
  }

  /** lockState and doorState in one read; a lock without a door sensor refuses doorState, then lockState alone. */
  async readLockState(): Promise<LockState> {
    const withDoor = this.profile.doorSensor !== false;
    try {
      const data = await this.radio("read lockState", (ep, o) => ep.read(DOOR_LOCK, withDoor ? ["lockState", "doorState"] : ["lockState"], o));
      return this.door.fromAttributes(data, "read");
    } catch (error) {
      if (!withDoor || !(error instanceof RadioError) || error.failure !== "rejected") throw error;
    }
    this.door.noDoorSensor();
    return this.door.fromAttributes(await this.radio("read lockState", (ep, o) => ep.read(DOOR_LOCK, ["lockState"], o)), "read");
  }

  /** lockDoor / unlockDoor; proven by the lockState report that follows, or a read of it. */
  async setLocked(locked: boolean): Promise<LockOperationResult> {
    const label = locked ? "lockDoor" : "unlockDoor";
    const outcome = await this.statusCommand(label, (ep, o) => ep.command(DOOR_LOCK, label, { pincodevalue: Buffer.alloc(0) }, o));
    if (typeof outcome === "object") return operationFailure(outcome.result);
    if (await this.door.reports.reach(locked, LOCK_REPORT_WAIT_MS)) {
      this.door.reports.confirmedRemote(locked);
      return { ok: true, proof: "state_report" };
    }
    let state: LockState;
    try {
      state = await this.readLockState();
    } catch (error) {
      return operationFailure(asResult(error));
    }
    if (state.locked !== locked) return { ok: false, failure: "mismatch", message: `${label}: the lock answered, but reports the bolt ${state.locked === null ? "not fully thrown" : state.locked ? "locked" : "unlocked"}` };
    this.door.reports.confirmedRemote(locked);
    return { ok: true, proof: "state_read" };
  }

  /** Anything heard from the lock proves it is on the air; losing the coordinator takes every lock off it. */
  noteReachable(online: boolean): void {
    this.setOnline(online);
  }

  /** An RF programming event for `slot`; true when it is the echo of the hub's own change (then no news). */
  noteRfProgramming(slot: number, change: RfChange): boolean {
    if (!this.rfChanges.heardFromLock(slot, change)) return false;
    if (this.profile.rfProgrammingEvents !== true) {
      this.ctx.logger.info({ radioId: this.identity.radioId }, "lock confirms PIN changes with programming events; writes are proven by them");
      this.updateProfile({ rfProgrammingEvents: true });
    }
    return true;
  }

  /** True when a write under way takes the alarm as its answer (and reports it for its slot). */
  noteDuplicateAlarm(): boolean {
    return this.duplicateAlarms.note();
  }

  noteBattery(level: number): void {
    if (level === this.profile.battery) return;
    this.updateProfile({ battery: level });
    this.ctx.emit({ type: "battery", radioId: this.identity.radioId, level });
  }

  // ---- radio plumbing -------------------------------------------------------------------------

  /**
   * One command, one attempt, bounded by the command timeout. A timeout or delivery failure marks the
   * lock offline unless `probeOnTimeout` (the caller decides after probing); an answer marks it online.
   */
  private async radio<T>(label: string, op: (ep: Models.Endpoint, options: CommandOptions) => Promise<T>, probeOnTimeout = false): Promise<T> {
    const ep = this.ctx.endpoint();
    if (!ep) {
      this.setOnline(false);
      throw new RadioError("offline", `${label}: the lock is not on the network`);
    }
    const wasOnline = this.online;
    try {
      const result = await op(ep, { timeout: this.ctx.timeoutMs, disableRecovery: true, sendPolicy: "immediate" });
      this.setOnline(true);
      return result;
    } catch (error) {
      const { failure: kind, detail } = classifyRadioError(error, this.ctx.timeoutMs);
      const unanswered = kind === "timeout" || kind === "offline";
      // A ZCL status error is an answer too.
      if (!unanswered) this.setOnline(true);
      else if (!(probeOnTimeout && kind === "timeout")) this.setOnline(false);
      // A lock already known to be gone is "offline", not a fresh "timeout".
      throw new RadioError(unanswered && !wasOnline ? "offline" : kind, `${label}: ${detail}`);
    }
  }

  /** Sends a command whose answer is a Door Lock status, and checks that answer rather than its arrival. */
  private async statusCommand(label: string, op: (ep: Models.Endpoint, options: CommandOptions) => Promise<unknown>): Promise<StatusOutcome> {
    let raw: unknown;
    try {
      raw = await this.radio(label, op);
    } catch (error) {
      return { result: asResult(error) };
    }
    const reply = decodeStatusReply(raw);
    if (reply === null) return { result: failure("mismatch", `${label}: the lock's answer is not a status response`) };
    if (reply.kind === "default_response") {
      // A Default Response is not the command's response. Herdsman resolves with it all the same.
      if (reply.status !== DoorLockStatus.SUCCESS) {
        return { result: failure("rejected", `${label}: the lock answered with a Default Response (ZCL status 0x${reply.status.toString(16)})`) };
      }
      return "unconfirmed";
    }
    const refused = statusFailure(label, reply.status);
    return refused ? { result: refused, status: reply.status } : "ok";
  }

  /** Duplicate handling: ZCL status 3 is reported as an event too; Yale sends a general failure plus genAlarms 113. */
  private async writeFailure(outcome: { result: RadioResult; status?: number }, slot: number, sentAt: number): Promise<RadioResult> {
    const byStatus = outcome.status === DoorLockStatus.DUPLICATE_CODE;
    const byAlarm = !byStatus && outcome.status === DoorLockStatus.GENERAL_FAILURE && (await this.duplicateAlarms.seenSince(sentAt));
    if (!byStatus && !byAlarm) return outcome.result;
    this.ctx.emit({ type: "duplicate_refused", radioId: this.identity.radioId, slot });
    return byAlarm ? failure("duplicate", "setPinCode: the lock holds this PIN in another slot (alarm 113)") : outcome.result;
  }

  /**
   * Proof of a write or clear: a read-back when the lock shows digits (or, for a clear, at least the slot
   * status), else the success status. A Default Response with SUCCESS proves nothing without a read-back.
   */
  private async confirm(slot: number, code: string | null, unconfirmed: boolean): Promise<RadioResult> {
    // The lock's own programming event names the slot (and its digits): no read-back needed.
    if (this.profile.rfProgrammingEvents) {
      const heard = await this.rfChanges.awaitChange(slot, Math.min(RF_EVENT_WAIT_MS, this.ctx.timeoutMs));
      if (heard) return provenByEvent(slot, code, heard);
    }
    const limit = this.profile.readbackLimit;
    // A clear can be read back from the slot status even when digits are masked.
    const canRead = code === null ? limit !== "no_get_pin_code_answer" : limit === null;
    const byStatus: RadioResult = unconfirmed
      ? failure("rejected", "the lock answered with a Default Response and cannot read back")
      : { ok: true, proof: "status" };
    if (!canRead) return byStatus;
    let reply: PinAnswer | "silent";
    try {
      reply = await this.getPin(slot);
    } catch (error) {
      return asResult(error);
    }
    // Read-back turned out not to work on this lock (now remembered): the status is the proof.
    if (reply === "silent") return byStatus;
    if (code === null) {
      return isOccupied(reply.userStatus) ? failure("mismatch", `slot ${slot} still holds a PIN after clearing`) : { ok: true, proof: "readback" };
    }
    const held = this.heldCode(reply);
    if (held === undefined) return byStatus;
    return held === code ? { ok: true, proof: "readback" } : failure("mismatch", `read-back of slot ${slot} does not show the written PIN`);
  }

  private async getPin(slot: number): Promise<PinAnswer | "silent"> {
    const wasOnline = this.online;
    let raw: unknown;
    try {
      // Only a lock that has never answered getPinCode is suspected of not supporting it.
      const suspect = !this.profile.readbackProven;
      raw = await this.radio("getPinCode", (ep, o) => ep.command(DOOR_LOCK, "getPinCode", { userid: slot }, o), suspect);
    } catch (error) {
      if (error instanceof RadioError && error.failure === "timeout" && !this.profile.readbackProven) {
        // Silent on getPinCode but answering otherwise: a lock that cannot read PINs back. Detected once.
        if (await this.answersOtherwise()) {
          this.learnReadbackLimit("no_get_pin_code_answer");
          return "silent";
        }
        throw new RadioError(wasOnline ? "timeout" : "offline", error.message);
      }
      throw error;
    }
    const reply = decodePinReply(raw);
    if (reply === null) throw new RadioError("mismatch", "getPinCode: the lock's answer is not a getPinCodeRsp");
    if (reply.kind === "default_response") {
      throw new RadioError("rejected", `getPinCode: the lock answered with a Default Response (ZCL status 0x${reply.status.toString(16)})`);
    }
    if (reply.userId !== slot) throw new RadioError("mismatch", `getPinCode: asked for user ${slot}, the lock answered for user ${reply.userId}`);
    if (!this.profile.readbackProven) this.updateProfile({ readbackProven: true });
    return reply;
  }

  private async answersOtherwise(): Promise<boolean> {
    try {
      await this.radio("probe", (ep, o) => ep.read(DOOR_LOCK, ["lockState"], o));
      return true;
    } catch {
      return false;
    }
  }

  /** What a getPinCodeRsp says the slot holds: null empty, undefined when the digits are withheld. */
  private heldCode(reply: PinAnswer): string | null | undefined {
    if (!isOccupied(reply.userStatus)) return null;
    if (reply.pin === "") {
      this.learnReadbackLimit("masked_digits");
      return undefined;
    }
    return reply.pin;
  }

  private learnReadbackLimit(limit: ReadbackLimit): void {
    const current = this.profile.readbackLimit;
    // Only "never answers" may replace an earlier finding: it is the one that stops all reads.
    if (current === limit || current === "no_get_pin_code_answer" || (current !== null && limit !== "no_get_pin_code_answer")) return;
    this.ctx.logger.info({ radioId: this.identity.radioId, limit }, "lock cannot read PINs back; writes are proven by status");
    this.updateProfile({ readbackLimit: limit, capabilities: { ...this.profile.capabilities, readback: "status_only" } });
  }

  private updateProfile(change: Partial<LockProfile>): void {
    this.profile = this.ctx.profiles.update(this.ctx.ieee, change) ?? { ...this.profile, ...change };
  }

  private setOnline(online: boolean): void {
    if (this.online === online) return;
    this.online = online;
    this.ctx.emit({ type: "availability", radioId: this.identity.radioId, online });
  }

  private assertSlot(slot: number): void {
    const problem = slotError(this.profile.capabilities, slot);
    if (problem) throw problem;
  }
}

/** A failed command's result as the result of a lock operation. */
function operationFailure(result: RadioResult): LockOperationResult {
  return result.ok ? { ok: false, failure: "mismatch", message: "the lock's answer proves nothing about the bolt" } : result;
}

function asResult(error: unknown): RadioResult {
  if (error instanceof RadioError) return failure(error.failure, error.message);
  return failure("timeout", "radio error");
}
