// The simulated Zigbee network: the air between the simulated coordinator and the virtual locks, the
// locks' physical memory on disk, the coordinator's join window and install codes, and the simulator
// hooks (keypad, faults, on/off the air, factory-new locks and their pairing button, frames).
import { randomUUID } from "node:crypto";
import path from "node:path";
import { Zdo, ZSpec, Zcl } from "zigbee-herdsman";
import { PairingError, type LockSimulator, type NewSimulatedLock, type PairingSimulator, type RadioTimeSetting, type SimulatedFaults, type SimulatedLockLabel } from "../../contract.js";
import { BodySimulator } from "../../sim/door-simulator.js";
import { zigbeeProfile } from "../../sim/profiles/index.js";
import type { ZigbeeSimulatedLockConfig } from "../options.js";
import type { CoordinatorPort, SimulatedAir } from "./adapter.js";
import { coordinatorIeee, extendedPanId, lockAddresses, newLockAddress } from "./identity.js";
import { JoinWindow } from "./join-window.js";
import { madeLocks, readSavedLocks, savedBody, savedJoined, savedMemory, writeSavedLocks } from "./lock-file.js";
import { LockMemory, type YearDaySchedule } from "./lock-memory.js";
import { installCodeLabel, makeInstallCode, newLockConfig } from "./new-lock.js";
import { ZigbeeRadioTime, zigbeeRadioTimeModel } from "./radio-time.js";
import type { VirtualDoor } from "./virtual-door.js";
import { VirtualLock } from "./virtual-lock.js";
import { answerZdo, endDeviceAnnounce, type NodeDescription, type SimpleDescriptor } from "./zdo.js";

const C = Zcl.Clusters;

/** What a simulated lock without a lock model profile says it is. */
const SIMULATED_IDENTITY = { manufacturerName: "lockbridge", modelId: "SIM-ZB-LOCK" } as const;

interface SimLock {
  readonly simId: string;
  readonly radioId: string;
  readonly lock: VirtualLock;
  /** The install code printed on the lock (16 bytes + CRC), for locks made at run time. */
  readonly installCode: Buffer | null;
  /** Set for locks made by /hub/simulate/new_lock (kept in the file so they survive restarts). */
  readonly made: ZigbeeSimulatedLockConfig | null;
  /** Off the air after disconnect(): frames neither reach it nor leave it. */
  onAir: boolean;
  /** Member of the network; false after remove() until connect() rejoins it, and for factory-new locks. */
  joined: boolean;
  frames: number;
  /** Frames the coordinator sent it: each is a command the lock answers (a round trip). */
  commands: number;
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
export interface ZigbeeLockSimulator extends LockSimulator, PairingSimulator {
  /** Year-day schedules the lock holds, by slot, in Zigbee local time (seconds since 2000, local). */
  physicalSchedules(radioId: string): Map<number, YearDaySchedule>;
  /** The keypad's master menu deletes every user; the lock sends one "all deleted" notification. */
  keypadClearAll(radioId: string): Promise<void>;
  /** Frames the coordinator sent to the lock so far: round trips, each command answered (frameCount counts both ways). */
  commandCount(radioId: string): number;
  /** The coordinator stick is pulled: its adapter reports the disconnect and cannot be started until plugged in. */
  unplugCoordinator(): void;
  plugInCoordinator(): void;
}

export class SimNetwork extends BodySimulator<VirtualDoor> implements SimulatedAir, ZigbeeLockSimulator {
  readonly coordinator: NodeDescription;
  readonly extendedPanId: string;
  readonly joinWindow = new JoinWindow();
  readonly radioTime: ZigbeeRadioTime;
  private readonly locks: SimLock[] = [];
  private readonly file: string;
  private readonly seed: string;
  private port: CoordinatorPort | null = null;
  private coordinatorPresent = true;
  private zdoTsn = 0;

  constructor(options: SimNetworkOptions) {
    super();
    this.file = path.join(options.dataDir, "simulated-locks.json");
    this.seed = options.seed;
    this.radioTime = new ZigbeeRadioTime(zigbeeRadioTimeModel(options.radioTime));
    this.coordinator = {
      nwk: ZSpec.COORDINATOR_ADDRESS,
      ieee: coordinatorIeee(options.seed),
      logicalType: 0,
      manufacturerCode: Zcl.ManufacturerCode.RESERVED_10,
      endpoints: [{ endpoint: 1, profileId: ZSpec.HA_PROFILE_ID, deviceId: 0x0005, inClusters: [C.genBasic.ID, C.genTime.ID], outClusters: [C.closuresDoorLock.ID] }],
    };
    this.extendedPanId = extendedPanId(options.seed);
    const savedLocks = readSavedLocks(this.file);
    const zigbee = options.locks.filter((l) => l.protocol === "zigbee");
    const addresses = lockAddresses(options.seed, zigbee.length);
    zigbee.forEach((config, index) => {
      const { ieee, nwk } = addresses[index] ?? { ieee: "", nwk: 0 };
      const stored = savedLocks[ieee];
      this.locks.push(this.buildLock({ simId: `config-${index}`, config, ieee, nwk, index, stored, joined: savedJoined(stored), installCode: null, made: null }));
    });
    // Locks made at run time, as they were when the hub last ran.
    for (const m of madeLocks(savedLocks)) {
      if (this.hosts(m.ieee)) continue;
      this.locks.push(this.buildLock({ simId: m.simId, config: m.config, ieee: m.ieee, nwk: m.nwk, index: this.locks.length, stored: m.stored, joined: m.joined, installCode: m.installCode, made: m.config }));
    }
  }

  /**
   * THE place a simulated Zigbee lock is made: its node (endpoints, clusters), memory and quirks follow from
   * its config, and its identity, endpoint and quirks from its lock model profile (drivers/sim/profiles).
   */
  private buildLock(a: { simId: string; config: ZigbeeSimulatedLockConfig; ieee: string; nwk: number; index: number; stored: unknown; joined: boolean; installCode: Buffer | null; made: ZigbeeSimulatedLockConfig | null }): SimLock {
    const { config } = a;
    const model = zigbeeProfile(config.profile)?.zigbee;
    const quirks = { ...(model ? { duplicateReport: model.duplicateReport, programmingEventOnRfChange: model.programmingEventOnRfChange } : {}), ...config.zigbee };
    const doorLockEndpoint = config.zigbee?.doorLockEndpoint ?? model?.doorLockEndpoint ?? (a.index % 2 === 0 ? 11 : 1);
    // User 0 is the master code on many locks; usable slots are user ids 1..slots.
    const limits = { userCount: config.slots + 1, minPinLen: Math.min(...config.code_lengths), maxPinLen: Math.max(...config.code_lengths) };
    const memory = new LockMemory(limits, savedMemory(a.stored));
    const node: NodeDescription = { nwk: a.nwk, ieee: a.ieee, logicalType: 2, manufacturerCode: model?.manufacturerCode ?? Zcl.ManufacturerCode.ASSA_ABLOY, endpoints: endpointsFor(doorLockEndpoint) };
    const identity = model ? { manufacturerName: model.manufacturerName, modelId: model.modelId } : SIMULATED_IDENTITY;
    const spec = { node, name: config.name, identity, doorLockEndpoint, nativeSchedule: config.native_scheduling, battery: config.battery, ...limits, quirks, autoRelockS: config.auto_relock_s ?? 0 };
    const entry: SimLock = {
      simId: a.simId,
      radioId: `zigbee:${a.ieee}`,
      installCode: a.installCode,
      made: a.made,
      onAir: true,
      joined: a.joined,
      frames: 0,
      commands: 0,
      lock: new VirtualLock(spec, memory, config.masked_readback, (ep, cluster, frame) => this.fromLock(entry, ep, cluster, frame), () => this.save(), savedBody(a.stored)),
    };
    return entry;
  }

  /** Radio id and display name of every simulated lock, in configuration order, then those made at run time. */
  describe(): Array<{ radioId: string; ieee: string; name: string }> {
    return this.locks.map((l) => ({ radioId: l.radioId, ieee: l.lock.spec.node.ieee, name: l.lock.spec.name }));
  }

  hosts(ieee: string): boolean {
    return this.locks.some((l) => l.lock.spec.node.ieee === ieee);
  }

  /** Locks in the network (configured ones from the start, paired ones once joined). */
  members(): string[] {
    return this.locks.filter((l) => l.joined).map((l) => l.lock.spec.node.ieee);
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

  permitJoin(seconds: number): void {
    this.joinWindow.permit(seconds);
  }

  addInstallCode(ieee: string, key: Buffer): void {
    this.joinWindow.addInstallCode(ieee, key);
  }

  sendZcl(nwk: number, endpoint: number, clusterId: number, frame: Buffer): boolean {
    const target = this.reachable(nwk);
    if (!target) return false;
    target.frames++;
    target.commands++;
    this.radioTime.toDevice(target.radioId, target.lock.spec.battery, () => target.lock.receiveZcl(endpoint, clusterId, frame));
    return true;
  }

  sendZdo(nwk: number, clusterId: number, request: Buffer): Buffer | "silent" | "unreachable" {
    const target = this.reachable(nwk);
    if (!target) return "unreachable";
    target.frames++;
    target.commands++;
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

  private join(entry: SimLock): void {
    entry.joined = true;
    this.save();
    const { nwk, ieee } = entry.lock.spec.node;
    // Association and the key transport: the frames a join costs before the interview.
    entry.frames += 2;
    this.port?.deviceJoined(nwk, ieee);
  }

  // ---- PairingSimulator --------------------------------------------------------------------------

  async newLock(spec: NewSimulatedLock): Promise<SimulatedLockLabel> {
    const config = newLockConfig(spec);
    const simId = randomUUID();
    const { ieee, nwk } = newLockAddress(this.seed, simId, new Set(this.locks.map((l) => l.lock.spec.node.nwk)));
    const installCode = makeInstallCode();
    const entry = this.buildLock({ simId, config, ieee, nwk, index: this.locks.length, stored: undefined, joined: false, installCode, made: config });
    this.locks.push(entry);
    this.save();
    return { simId, ieee, installCode: installCodeLabel(ieee, installCode) };
  }

  /** A factory-new lock asks to join; the coordinator decides (join-window.ts). A member's button does nothing. */
  async pressButton(target: { readonly simId: string } | { readonly radioId: string }): Promise<"joined" | "left" | "replaced" | "none" | "refused"> {
    const entry = "simId" in target ? this.locks.find((l) => l.simId === target.simId) : this.locks.find((l) => l.radioId === target.radioId);
    if (!entry) throw new PairingError("unknown_lock", "no simulated Zigbee lock has this id");
    if (entry.joined || !entry.onAir) return "none";
    const verdict = this.joinWindow.verdict(entry.lock.spec.node.ieee, entry.installCode);
    if (verdict === "window_closed") return "none";
    if (verdict !== "admitted") return "refused";
    this.join(entry);
    await settle();
    return "joined";
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
    if (!entry.joined) this.join(entry);
    else {
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

  // ---- DoorSimulator (../../sim/door-simulator.ts) ---------------------------------------------

  protected bodyOf(radioId: string): VirtualDoor {
    return this.find(radioId).lock.door;
  }

  protected reportsSent(): Promise<void> {
    return settle();
  }

  /** Stops the locks' own timers (auto-relock) with the network. */
  dispose(): void {
    for (const l of this.locks) l.lock.door.dispose();
  }

  unplugCoordinator(): void {
    this.coordinatorPresent = false;
    // A coordinator that loses power forgets its permit-join window.
    this.joinWindow.permit(0);
    const port = this.port;
    this.port = null;
    port?.disconnected();
  }

  plugInCoordinator(): void {
    this.coordinatorPresent = true;
  }

  commandCount(radioId: string): number {
    return this.find(radioId).commands;
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
    writeSavedLocks(
      this.file,
      this.locks.map((l) => {
        const { spec, memory, door } = l.lock;
        const made = l.made ? { config: l.made, simId: l.simId, nwk: spec.node.nwk, installCode: l.installCode } : undefined;
        return [spec.node.ieee, { name: spec.name, joined: l.joined, memory: memory.toJSON(), body: door.saved(), ...(made ? { made } : {}) }] as const;
      }),
    );
  }
}

/** Lets frames already handed to the air reach the coordinator before a simulator call returns. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
