// The simulated Zigbee network: the air between the simulated coordinator and the virtual locks, the
// locks' physical memory on disk, and the LockSimulator hooks (keypad, faults, on/off the air, frames).
import path from "node:path";
import { Zdo, ZSpec, Zcl } from "zigbee-herdsman";
import type { LockSimulator, RadioTimeSetting, SimulatedFaults } from "../../contract.js";
import { isRecord, readJsonFile, writeJsonFileAtomic } from "../json-file.js";
import type { ZigbeeSimulatedLockConfig } from "../options.js";
import type { CoordinatorPort, SimulatedAir } from "./adapter.js";
import { coordinatorIeee, extendedPanId, lockAddresses } from "./identity.js";
import { LockMemory, type YearDaySchedule } from "./lock-memory.js";
import type { SavedBody } from "./virtual-door.js";
import { ZigbeeRadioTime, zigbeeRadioTimeModel } from "./radio-time.js";
import { VirtualLock } from "./virtual-lock.js";
import { answerZdo, endDeviceAnnounce, type NodeDescription, type SimpleDescriptor } from "./zdo.js";

const C = Zcl.Clusters;

interface SimLock {
  readonly radioId: string;
  readonly lock: VirtualLock;
  /** Off the air after disconnect(): frames neither reach it nor leave it. */
  onAir: boolean;
  /** Member of the network; false after remove() until connect() rejoins it. */
  joined: boolean;
  frames: number;
}

/** Nimly/Onesti put the Door Lock cluster on endpoint 11 with genBasic alone on endpoint 1; others use endpoint 1. */
function endpointsFor(doorLockEndpoint: number): SimpleDescriptor[] {
  const lockClusters = [C.genPowerCfg.ID, C.genIdentify.ID, C.genAlarms.ID, C.closuresDoorLock.ID];
  const lockEp = { endpoint: doorLockEndpoint, profileId: ZSpec.HA_PROFILE_ID, deviceId: 0x000a, outClusters: [C.genTime.ID, C.genOta.ID] };
  if (doorLockEndpoint === 1) return [{ ...lockEp, inClusters: [C.genBasic.ID, ...lockClusters] }];
  return [
    { endpoint: 1, profileId: ZSpec.HA_PROFILE_ID, deviceId: 0x000a, inClusters: [C.genBasic.ID], outClusters: [] },
    { ...lockEp, inClusters: lockClusters },
  ];
}

export interface SimNetworkOptions {
  readonly dataDir: string;
  readonly seed: string;
  readonly locks: readonly ZigbeeSimulatedLockConfig[];
  /** Poll delays and airtime on the simulated air (radio-time.ts); default "instant". */
  readonly radioTime?: RadioTimeSetting;
}

/** The contract's simulator plus what only a Zigbee lock has. */
export interface ZigbeeLockSimulator extends LockSimulator {
  /** Year-day schedules the lock holds, by slot, in Zigbee local time (seconds since 2000, local). */
  physicalSchedules(radioId: string): Map<number, YearDaySchedule>;
  /** The keypad's master menu deletes every user; the lock sends one "all deleted" notification. */
  keypadClearAll(radioId: string): Promise<void>;
  /** The coordinator stick is pulled: its adapter reports the disconnect and cannot be started until plugged in. */
  unplugCoordinator(): void;
  plugInCoordinator(): void;
}

export class SimNetwork implements SimulatedAir, ZigbeeLockSimulator {
  readonly coordinator: NodeDescription;
  readonly extendedPanId: string;
  readonly radioTime: ZigbeeRadioTime;
  private readonly locks: SimLock[];
  private readonly file: string;
  private port: CoordinatorPort | null = null;
  private coordinatorPresent = true;
  private zdoTsn = 0;

  constructor(options: SimNetworkOptions) {
    this.file = path.join(options.dataDir, "simulated-locks.json");
    this.radioTime = new ZigbeeRadioTime(zigbeeRadioTimeModel(options.radioTime));
    this.coordinator = {
      nwk: ZSpec.COORDINATOR_ADDRESS,
      ieee: coordinatorIeee(options.seed),
      logicalType: 0,
      manufacturerCode: Zcl.ManufacturerCode.RESERVED_10,
      endpoints: [{ endpoint: 1, profileId: ZSpec.HA_PROFILE_ID, deviceId: 0x0005, inClusters: [C.genBasic.ID, C.genTime.ID], outClusters: [C.closuresDoorLock.ID] }],
    };
    this.extendedPanId = extendedPanId(options.seed);
    const saved = readJsonFile(this.file);
    const savedLocks = isRecord(saved) && isRecord(saved["locks"]) ? saved["locks"] : {};
    const zigbee = options.locks.filter((l) => l.protocol === "zigbee");
    const addresses = lockAddresses(options.seed, zigbee.length);
    this.locks = zigbee.map((config, index) => {
      const { ieee, nwk } = addresses[index] ?? { ieee: "", nwk: 0 };
      const stored = savedLocks[ieee];
      const doorLockEndpoint = config.zigbee?.doorLockEndpoint ?? (index % 2 === 0 ? 11 : 1);
      // User 0 is the master code on many locks; usable slots are user ids 1..slots.
      const limits = { userCount: config.slots + 1, minPinLen: Math.min(...config.code_lengths), maxPinLen: Math.max(...config.code_lengths) };
      const memory = new LockMemory(limits, isRecord(stored) ? stored["memory"] : undefined);
      const node: NodeDescription = { nwk, ieee, logicalType: 2, manufacturerCode: Zcl.ManufacturerCode.ASSA_ABLOY, endpoints: endpointsFor(doorLockEndpoint) };
      const spec = { node, name: config.name, doorLockEndpoint, nativeSchedule: config.native_scheduling, battery: config.battery, ...limits, quirks: config.zigbee ?? {}, autoRelockS: config.auto_relock_s ?? 0 };
      const entry: SimLock = {
        radioId: `zigbee:${ieee}`,
        onAir: true,
        joined: !(isRecord(stored) && stored["joined"] === false),
        frames: 0,
        lock: new VirtualLock(spec, memory, config.masked_readback, (ep, cluster, frame) => this.fromLock(entry, ep, cluster, frame), () => this.save(), savedBody(stored)),
      };
      return entry;
    });
  }

  /** Radio id and display name of every simulated lock, in configuration order. */
  describe(): Array<{ radioId: string; ieee: string; name: string }> {
    return this.locks.map((l) => ({ radioId: l.radioId, ieee: l.lock.spec.node.ieee, name: l.lock.spec.name }));
  }

  hosts(ieee: string): boolean {
    return this.locks.some((l) => l.lock.spec.node.ieee === ieee);
  }

  /** Joined locks the coordinator does not know yet announce themselves (first start, or a wiped database). */
  joinUnknown(isKnown: (ieee: string) => boolean): void {
    for (const l of this.locks) {
      const { ieee, nwk } = l.lock.spec.node;
      if (l.joined && l.onAir && !isKnown(ieee)) this.port?.deviceJoined(nwk, ieee);
    }
  }

  // ---- SimulatedAir ------------------------------------------------------------------------------

  attach(port: CoordinatorPort): void {
    // Worded like the serial error a real adapter fails with when its stick is gone.
    if (!this.coordinatorPresent) throw new Error("Error: No such file or directory, cannot open the coordinator's serial port");
    this.port = port;
  }

  detach(port: CoordinatorPort): void {
    if (this.port === port) this.port = null;
  }

  sendZcl(nwk: number, endpoint: number, clusterId: number, frame: Buffer): boolean {
    const target = this.reachable(nwk);
    if (!target) return false;
    target.frames++;
    this.radioTime.toDevice(target.radioId, target.lock.spec.battery, () => target.lock.receiveZcl(endpoint, clusterId, frame));
    return true;
  }

  sendZdo(nwk: number, clusterId: number, request: Buffer): Buffer | "silent" | "unreachable" {
    const target = this.reachable(nwk);
    if (!target) return "unreachable";
    target.frames++;
    if (target.lock.faults.unresponsive) return "silent";
    const reply = answerZdo(target.lock.spec.node, clusterId, request);
    if (!reply) return "silent";
    target.frames++;
    if (clusterId === Zdo.ClusterId.LEAVE_REQUEST) this.leave(target);
    return reply;
  }

  private reachable(nwk: number): SimLock | undefined {
    return this.locks.find((l) => l.lock.spec.node.nwk === nwk && l.onAir && l.joined);
  }

  private fromLock(entry: SimLock, endpoint: number, clusterId: number, frame: Buffer): void {
    const port = this.port;
    if (!port || !entry.onAir || !entry.joined) return;
    entry.frames++;
    this.radioTime.fromDevice(entry.radioId, () => port.receiveZcl(entry.lock.spec.node.nwk, endpoint, clusterId, frame));
  }

  private leave(entry: SimLock): void {
    entry.joined = false;
    this.save();
    const { nwk, ieee } = entry.lock.spec.node;
    entry.frames++;
    setImmediate(() => this.port?.deviceLeft(nwk, ieee));
  }

  // ---- LockSimulator -----------------------------------------------------------------------------

  async keypadSetCode(radioId: string, slot: number, code: string): Promise<void> {
    this.find(radioId).lock.keypadSetCode(slot, code);
    await settle();
  }

  async keypadClearCode(radioId: string, slot: number): Promise<void> {
    this.find(radioId).lock.keypadClearCode(slot);
    await settle();
  }

  async keypadClearAll(radioId: string): Promise<void> {
    this.find(radioId).lock.keypadClearAll();
    await settle();
  }

  async keypadUnlock(radioId: string, code: string, at: Date = new Date()): Promise<{ unlocked: boolean; slot: number | null }> {
    const result = this.find(radioId).lock.keypadUnlock(code, at);
    await settle();
    return result;
  }

  physicalSlots(radioId: string): Array<{ slot: number; code: string | null }> {
    const { lock } = this.find(radioId);
    const slots: Array<{ slot: number; code: string | null }> = [];
    for (let slot = 1; slot < lock.spec.userCount; slot++) slots.push({ slot, code: lock.memory.get(slot)?.pin ?? null });
    return slots;
  }

  physicalSchedules(radioId: string): Map<number, YearDaySchedule> {
    const { lock } = this.find(radioId);
    const schedules = new Map<number, YearDaySchedule>();
    for (let slot = 1; slot < lock.spec.userCount; slot++) {
      const schedule = lock.memory.schedule(slot);
      if (schedule) schedules.set(slot, schedule);
    }
    return schedules;
  }

  setFaults(radioId: string, faults: SimulatedFaults): void {
    this.find(radioId).lock.setFaults(faults);
  }

  async disconnect(radioId: string): Promise<void> {
    this.find(radioId).onAir = false;
  }

  /** Back on the air: a member announces itself; a removed lock joins again (and is interviewed). */
  async connect(radioId: string): Promise<void> {
    const entry = this.find(radioId);
    entry.onAir = true;
    const { nwk, ieee } = entry.lock.spec.node;
    if (!entry.joined) {
      entry.joined = true;
      this.save();
      this.port?.deviceJoined(nwk, ieee);
    } else {
      this.zdoTsn = (this.zdoTsn + 1) & 0xff;
      entry.frames++;
      this.port?.receiveZdo(Zdo.ClusterId.END_DEVICE_ANNOUNCE, endDeviceAnnounce(entry.lock.spec.node, this.zdoTsn));
    }
    await settle();
  }

  async remove(radioId: string): Promise<void> {
    const entry = this.find(radioId);
    if (!entry.joined) return;
    this.leave(entry);
    await settle();
  }

  // ---- DoorSimulator -----------------------------------------------------------------------------

  async turnThumbTurn(radioId: string, locked: boolean): Promise<void> {
    this.find(radioId).lock.door.mechanism.operate(locked, "thumb_turn");
    await settle();
  }

  async pressKeypadLock(radioId: string): Promise<void> {
    this.find(radioId).lock.door.mechanism.operate(true, "keypad_button");
    await settle();
  }

  async setDoorOpen(radioId: string, open: boolean): Promise<void> {
    this.find(radioId).lock.door.mechanism.setDoorOpen(open);
    await settle();
  }

  async tamper(radioId: string): Promise<void> {
    this.find(radioId).lock.door.tamper();
    await settle();
  }

  async setBatteryLevel(radioId: string, percent: number): Promise<void> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError("a battery level is 0..100 %");
    this.find(radioId).lock.door.battery(percent);
    await settle();
  }

  physicalDoor(radioId: string): { locked: boolean; doorOpen: boolean; boltMoves: number } {
    const { mechanism } = this.find(radioId).lock.door;
    return { locked: mechanism.locked, doorOpen: mechanism.doorOpen, boltMoves: mechanism.boltMoves };
  }

  /** Stops the locks' own timers (auto-relock) with the network. */
  dispose(): void {
    for (const l of this.locks) l.lock.door.dispose();
  }

  unplugCoordinator(): void {
    this.coordinatorPresent = false;
    const port = this.port;
    this.port = null;
    port?.disconnected();
  }

  plugInCoordinator(): void {
    this.coordinatorPresent = true;
  }

  frameCount(radioId?: string): number {
    return this.locks.filter((l) => radioId === undefined || l.radioId === radioId).reduce((sum, l) => sum + l.frames, 0);
  }

  private find(radioId: string): SimLock {
    const entry = this.locks.find((l) => l.radioId === radioId);
    if (!entry) throw new Error(`${radioId} is not a simulated Zigbee lock`);
    return entry;
  }

  private save(): void {
    const locks = Object.fromEntries(
      this.locks.map((l) => [l.lock.spec.node.ieee, { name: l.lock.spec.name, joined: l.joined, memory: l.lock.memory.toJSON(), body: l.lock.door.saved() }]),
    );
    writeJsonFileAtomic(this.file, { version: 1, locks });
  }
}

/** The bolt, door and battery a lock had when the file was written; a new lock is locked, closed and full. */
function savedBody(stored: unknown): SavedBody | undefined {
  const body = isRecord(stored) ? stored["body"] : undefined;
  if (!isRecord(body) || !isRecord(body["door"]) || typeof body["battery"] !== "number") return undefined;
  const door = body["door"];
  if (typeof door["locked"] !== "boolean" || typeof door["doorOpen"] !== "boolean") return undefined;
  return { door: { locked: door["locked"], doorOpen: door["doorOpen"] }, battery: body["battery"] };
}

/** Lets frames already handed to the air reach the coordinator before a simulator call returns. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
