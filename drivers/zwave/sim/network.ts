// The simulated Z-Wave network: the REAL zwave-js Driver talking over zwave-js's published mock
// serial port to a MockController with one MockNode per simulated lock in the network. Locks are S2
// Access Control secured with the network keys the driver uses too (configured, or generated once).
// Everything a restart must keep is derived or persisted: the home id comes from the simulation seed,
// zwave-js's cache lives under dataDir (no re-interview, so no re-read of every code), the network's
// members and factory-new locks are in network-state.ts, and each lock's memory is a JSON file restored
// into its mock node before the radio starts.
import { createHash } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { keyPairFromRawECDHPrivateKey, nwiHomeIdFromDSK, securityClassOrder, type CommandClasses } from "@zwave-js/core";
import { MockController, MockZWaveFrameType, getDefaultSupportedFunctionTypes, type MockControllerBehavior, type MockNode } from "@zwave-js/testing";
import type { Driver, ZWaveNode } from "zwave-js";
import { createAndStartDriverWithMockPort, createDefaultMockControllerBehaviors } from "zwave-js/Testing";
import { PairingError, type DriverLogger, type SimulatedLockConfig } from "../../contract.js";
import { radioIdOf, type ZWaveBackend } from "../backend.js";
import { waitForDriverReady } from "../driver-ready.js";
import type { LockProfile } from "../lock-handle.js";
import { stopSmartStartBeforeDestroy } from "../zwave-js-quirks.js";
import { normaliseCodeLengths, type ParsedSecurityKeys, type ZWaveSimulationOptions } from "../options.js";
import { PAIRING_FUNCTION_TYPES, SimulatedInclusion, type InclusionHost } from "./inclusion-controller.js";
import { ZWaveLockSimulator, type SimulatedNetworkAccess } from "./lock-simulator.js";
import { addLockNode, configuredSecurity, createLockNode, lockCommandClasses, SIMULATED_NODE_REVISION, type SimLockSpec } from "./lock-node.js";
import { MockLockMemory } from "./mock-lock-memory.js";
import { NetworkState, securityClassName, simulationKeys, toSecurityClass, type NewLockRecord } from "./network-state.js";
import { ZWavePairingSimulator } from "./pairing-simulator.js";
import { ZWaveRadioTime, zwaveRadioTimeModel } from "./radio-time.js";
import { SimLock } from "./sim-lock.js";

const DEFAULT_COMMAND_TIMEOUT_MS = 6_000;
const REALISTIC_COMMAND_TIMEOUT_MS = 15_000;
const DRIVER_READY_TIMEOUT_MS = 30_000;
const FIRST_LOCK_NODE_ID = 2;
/** Host messages between two trims of the mock's frame recordings. */
const RECORDED_FRAMES_KEPT = 256;

/** A stable 32-bit home id from the hub's seed; 0 and 0xffffffff are not valid home ids. */
export function simulatedHomeId(seed: string): number {
  const id = createHash("sha256").update(`lockbridge/zwave-simulation/${seed}`).digest().readUInt32BE(0);
  return id === 0 || id === 0xffffffff ? 0x4c4b4252 : id;
}

/** What the zwave-js cache learned in the interview; when it changes, the cache is stale. */
function interviewFingerprint(locks: readonly SimulatedLockConfig[]): string {
  return JSON.stringify([SIMULATED_NODE_REVISION, ...locks.map((l) => [l.slots, l.checksum, l.native_scheduling, l.battery !== false, l.multi_code === true, l.profile ?? null])]);
}

/** What a simulated lock without a lock model profile says it is. */
const SIMULATED_MODEL = { manufacturer: "lockbridge", model: "Simulated Z-Wave keypad lock" } as const;

export class ZWaveSimulation implements ZWaveBackend, SimulatedNetworkAccess, InclusionHost {
  readonly commandTimeoutMs: number;
  readonly simulator: ZWaveLockSimulator;
  readonly pairingSimulator: ZWavePairingSimulator;
  readonly homeId: number;
  /** The radio-time model of this network (simulation.radio_time); changeable at run time. */
  readonly radioTime: ZWaveRadioTime;
  private readonly configs: readonly SimulatedLockConfig[];
  /** Every simulated lock by sim id, in or out of the network. */
  private readonly simLocks = new Map<string, SimLock>();
  private readonly simDir: string;
  private state: NetworkState | null = null;
  private keys: ParsedSecurityKeys = {};
  private zwave: Driver | null = null;
  private controller: MockController | null = null;
  private inclusionMachine: SimulatedInclusion | null = null;
  private hostMessagesSinceTrim = 0;

  constructor(
    private readonly options: ZWaveSimulationOptions & { readonly dataDir: string; readonly simulationSeed: string },
    private readonly logger: DriverLogger,
  ) {
    // With radio time a battery lock takes a beam per command, as long as a real one: the real budget.
    this.commandTimeoutMs = options.commandTimeoutMs ?? (options.radioTime === "realistic" ? REALISTIC_COMMAND_TIMEOUT_MS : DEFAULT_COMMAND_TIMEOUT_MS);
    this.homeId = simulatedHomeId(options.simulationSeed);
    this.radioTime = new ZWaveRadioTime(zwaveRadioTimeModel(options.radioTime));
    this.simDir = path.join(options.dataDir, "zwave-simulation");
    this.configs = options.locks.filter((l) => l.protocol === "zwave");
    for (const config of this.configs) {
      normaliseCodeLengths(config.code_lengths, `simulation.locks[${config.name}]`);
      if (!Number.isInteger(config.slots) || config.slots < 1 || config.slots > 255) {
        throw new Error(`simulation.locks[${config.name}].slots must be 1..255 (a User Code Get addresses at most 255 users)`);
      }
    }
    this.simulator = new ZWaveLockSimulator(this);
    this.pairingSimulator = new ZWavePairingSimulator(this, this.logger);
  }

  // ---- ZWaveBackend -------------------------------------------------------------------------

  async open(): Promise<Driver> {
    const cacheDir = path.join(this.options.dataDir, "zwave-cache");
    await mkdir(this.simDir, { recursive: true, mode: 0o700 });
    const state = NetworkState.load(this.simDir, this.logger);
    this.state = state;
    this.keys = simulationKeys(this.simDir, this.options.securityKeys);
    await this.dropStaleCache(cacheDir, state);
    await mkdir(cacheDir, { recursive: true, mode: 0o700 });
    await this.loadLocks(state);

    const { driver, continueStartup, mockPort, serial } = await createAndStartDriverWithMockPort({
      logConfig: { enabled: false },
      storage: { cacheDir },
      securityKeys: this.keys,
      // Without this, a first interview (fresh cache) CLEARS every user code on the lock.
      interview: { queryAllUserCodes: true },
      // One radio attempt per command: the executor retries, and a silent lock fails in ~1 s.
      attempts: { sendData: 1 },
    });
    this.zwave = driver;
    const wait = waitForDriverReady(driver, DRIVER_READY_TIMEOUT_MS, this.logger);
    try {
      const controller = await MockController.create({
        mockPort,
        serial,
        homeId: this.homeId,
        ownNodeId: 1,
        securityKeys: this.keys,
        capabilities: { supportedFunctionTypes: [...getDefaultSupportedFunctionTypes(), ...PAIRING_FUNCTION_TYPES] },
      });
      this.controller = controller;
      const inclusion = new SimulatedInclusion(controller, this);
      this.inclusionMachine = inclusion;
      controller.defineBehavior(...createDefaultMockControllerBehaviors());
      // Separate, later calls: defineBehavior puts its arguments IN FRONT, and ours must see every
      // frame before the defaults consume it.
      controller.defineBehavior(...this.controllerHooks());
      controller.defineBehavior(inclusion.behavior());
      this.radioTime.install(controller);
      for (const lock of this.simLocks.values()) {
        if (lock.nodeId !== null) await addLockNode(controller, lock, { nodeId: lock.nodeId, radioTime: this.radioTime, factoryNew: false });
      }
      continueStartup();
      await wait.ready;
      // The keys a joining lock was given are what it holds from now on, across restarts.
      driver.controller.on("node added", (node) => this.rememberKeys(node));
      this.pairingSimulator.start();
    } catch (e) {
      wait.cancel();
      await this.close();
      throw e;
    }
    return driver;
  }

  profileFor(node: ZWaveNode): LockProfile {
    const lock = this.lockAt(node.id);
    // A lock model is what zwave-js made of its ids, from the model's device file, as on a real stick.
    const model = lock?.spec.profile ? { manufacturer: node.deviceConfig?.manufacturer ?? null, model: node.deviceConfig?.label ?? null } : SIMULATED_MODEL;
    return {
      name: lock?.spec.name ?? `Simulated Z-Wave node ${node.id}`,
      ...model,
      simulated: true,
      isBattery: lock?.spec.battery !== false,
      codeLengths: lock?.codeLengths ?? [],
      masksDigits: () => lock?.masksDigits() ?? false,
    };
  }

  async close(): Promise<void> {
    this.pairingSimulator.stop();
    for (const lock of this.simLocks.values()) lock.door?.dispose();
    await Promise.all([...this.simLocks.values()].map((l) => l.memory.flush()));
    if (this.zwave) {
      await stopSmartStartBeforeDestroy(this.zwave);
      await this.zwave.destroy().catch(() => undefined);
    }
    this.zwave = null;
    this.controller?.destroy();
    this.controller = null;
    this.inclusionMachine = null;
  }

  // ---- SimulatedNetworkAccess (lock-simulator.ts, pairing-simulator.ts) ---------------------------

  lock(radioId: string): SimLock {
    for (const lock of this.simLocks.values()) if (lock.radioId === radioId) return lock;
    if (this.locks().some((l) => l.formerRadioId === radioId)) throw new Error(`simulated lock ${radioId} was removed from the network`);
    throw new Error(`no simulated Z-Wave lock ${radioId}`);
  }

  locks(): SimLock[] {
    return [...this.simLocks.values()];
  }

  bySimId(simId: string): SimLock | undefined {
    return this.simLocks.get(simId);
  }

  driver(): Driver {
    if (!this.zwave) throw new Error("the simulated Z-Wave network is not running");
    return this.zwave;
  }

  mockController(): MockController {
    if (!this.controller) throw new Error("the simulated Z-Wave network is not running");
    return this.controller;
  }

  inclusion(): SimulatedInclusion {
    if (!this.inclusionMachine) throw new PairingError("unsupported", "the simulated Z-Wave network is not running (yet): retry in a few seconds");
    return this.inclusionMachine;
  }

  /** A factory-new lock, powered and in no network (/hub/simulate/new_lock). */
  async addFactoryNewLock(simId: string, record: NewLockRecord): Promise<SimLock> {
    const lock = await this.buildNewLock(simId, record);
    this.requireState().addNewLock(simId, record);
    this.simLocks.set(simId, lock);
    return lock;
  }

  // ---- InclusionHost (inclusion-controller.ts) ----------------------------------------------------

  createJoiningNode(lock: SimLock, nodeId: number): Promise<MockNode> {
    return createLockNode(this.mockController(), lock, { nodeId, radioTime: this.radioTime, factoryNew: true });
  }

  allocateNodeId(): number {
    return this.requireState().allocateNodeId();
  }

  joined(lock: SimLock, nodeId: number): void {
    lock.nodeId = nodeId;
    lock.granted = [];
    lock.memory.markIncluded();
    this.requireState().join(nodeId, lock.simId, []);
  }

  left(lock: SimLock): void {
    lock.formerRadioId = lock.radioId;
    if (lock.nodeId !== null) this.requireState().leave(lock.nodeId);
    lock.nodeId = null;
    lock.granted = [];
    lock.mockNode = null;
    lock.memory.markExcluded();
  }

  lockAt(nodeId: number): SimLock | undefined {
    for (const lock of this.simLocks.values()) if (lock.nodeId === nodeId) return lock;
    return undefined;
  }

  smartStartLock(nwiHomeId: Uint8Array): SimLock | undefined {
    return this.locks().find((lock) => {
      const dsk = this.dskOf(lock);
      return lock.spec.smartStart && lock.nodeId === null && !lock.offAir && dsk !== null && Buffer.from(nwiHomeIdFromDSK(dsk)).equals(Buffer.from(nwiHomeId));
    });
  }

  dskOf(lock: SimLock): Uint8Array<ArrayBuffer> | null {
    // The DSK is the first 16 bytes of the lock's public key (zwave-js's mock takes them one byte off).
    return lock.keyPair ? lock.keyPair.publicKey.slice(0, 16) : null;
  }

  announcedCCs(lock: SimLock): CommandClasses[] {
    return lockCommandClasses(lock.spec).map((cc) => (typeof cc === "object" ? cc.ccId : cc));
  }

  // ---- internals ----------------------------------------------------------------------------

  private requireState(): NetworkState {
    if (!this.state) throw new PairingError("unsupported", "the simulated Z-Wave network is not running (yet): retry in a few seconds");
    return this.state;
  }

  /** zwave-js's cache describes the locks as first interviewed; a changed config needs a fresh one. */
  private async dropStaleCache(cacheDir: string, state: NetworkState): Promise<void> {
    const fingerprint = interviewFingerprint(this.configs);
    if (state.fingerprint === fingerprint) return;
    if (state.fingerprint !== "") this.logger.info({}, "simulated Z-Wave locks changed; they will be interviewed again");
    await rm(cacheDir, { recursive: true, force: true });
    state.fingerprint = fingerprint;
  }

  private async loadLocks(state: NetworkState): Promise<void> {
    this.simLocks.clear();
    for (const [i, config] of this.configs.entries()) {
      const simId = `config-${i}`;
      const memory = await MockLockMemory.load(path.join(this.simDir, `lock-node-${FIRST_LOCK_NODE_ID + i}.json`), config.slots, this.logger);
      const codeLengths = normaliseCodeLengths(config.code_lengths, `simulation.locks[${config.name}]`);
      const security = configuredSecurity(config);
      const lock = new SimLock(simId, { ...config, security, smartStart: false }, codeLengths, memory, this.homeId);
      const member = state.memberOf(simId);
      if (member) this.place(lock, member.nodeId, member.granted.map(toSecurityClass));
      else if (!memory.snapshot.excluded) {
        // Configured locks are in the network from the start, securely (S2 Access Control, or S0 for an S0 model).
        if (state.fresh) state.reserve(FIRST_LOCK_NODE_ID + i);
        const nodeId = state.fresh ? FIRST_LOCK_NODE_ID + i : state.allocateNodeId();
        const granted = security === "s0" ? "S0_Legacy" : "S2_AccessControl";
        state.join(nodeId, simId, [granted]);
        this.place(lock, nodeId, [toSecurityClass(granted)]);
      } else this.remember(lock, state, FIRST_LOCK_NODE_ID + i);
      this.simLocks.set(simId, lock);
    }
    for (const [simId, record] of state.newLocks()) {
      const lock = await this.buildNewLock(simId, record);
      const member = state.memberOf(simId);
      if (member) this.place(lock, member.nodeId, member.granted.map(toSecurityClass));
      else this.remember(lock, state);
      this.simLocks.set(simId, lock);
    }
    state.save();
  }

  private remember(lock: SimLock, state: NetworkState, fallbackNodeId?: number): void {
    const former = state.formerNodeId(lock.simId) ?? fallbackNodeId;
    if (former !== undefined) lock.formerRadioId = radioIdOf(this.homeId, former);
  }

  private place(lock: SimLock, nodeId: number, granted: ReturnType<typeof toSecurityClass>[]): void {
    lock.nodeId = nodeId;
    lock.granted = granted;
  }

  private async buildNewLock(simId: string, record: NewLockRecord): Promise<SimLock> {
    const memory = await MockLockMemory.load(path.join(this.simDir, `new-lock-${simId}.json`), record.slots, this.logger);
    const spec: SimLockSpec = {
      protocol: "zwave",
      name: record.name,
      slots: record.slots,
      code_lengths: record.code_lengths,
      checksum: record.checksum,
      native_scheduling: record.native_scheduling,
      masked_readback: record.masked_readback,
      battery: record.battery,
      security: record.security,
      smartStart: record.smart_start,
      ...(record.profile ? { profile: record.profile } : {}),
      ...(record.multi_code ? { multi_code: true } : {}),
    };
    const keyPair = record.private_key ? await keyPairFromRawECDHPrivateKey(Uint8Array.from(Buffer.from(record.private_key, "hex"))) : null;
    return new SimLock(simId, spec, normaliseCodeLengths(record.code_lengths, `new lock ${record.name}`), memory, this.homeId, keyPair);
  }

  private rememberKeys(node: ZWaveNode): void {
    const lock = this.lockAt(node.id);
    if (!lock) return;
    const granted = securityClassOrder.filter((c) => node.hasSecurityClass(c) === true);
    lock.granted = granted;
    const names = granted.map(securityClassName).filter((n) => n !== null);
    this.requireState().join(node.id, lock.simId, names);
  }

  /**
   * The mock controller and nodes record every frame for test assertions, and never forget one:
   * a simulated hub would grow by ~1 KB per frame for as long as it runs. Nothing here asserts on
   * them, so they are dropped every few hundred messages.
   */
  private forgetRecordedFrames(controller: MockController): void {
    if (++this.hostMessagesSinceTrim < RECORDED_FRAMES_KEPT) return;
    this.hostMessagesSinceTrim = 0;
    controller.clearReceivedHostMessages();
    for (const node of controller.nodes.values()) {
      node.clearReceivedControllerFrames();
      node.clearSentControllerFrames();
    }
  }

  private controllerHooks(): MockControllerBehavior[] {
    return [
      {
        // Frames from a lock to the controller (requests only; link-layer ACKs are not counted).
        onNodeFrame: (_controller, node, frame) => {
          if (frame.type === MockZWaveFrameType.Request) this.lockAt(node.id)?.countFrame(frame.payload);
          return false;
        },
        onHostMessage: (controller) => {
          this.forgetRecordedFrames(controller);
          return false;
        },
      },
    ];
  }
}
