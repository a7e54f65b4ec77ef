// The simulated Z-Wave network: the REAL zwave-js Driver talking over zwave-js's published mock
// serial port to a MockController with one MockNode per simulated lock (node ids 2..n+1).
// Everything a restart must keep is derived or persisted: the home id comes from the simulation
// seed, zwave-js's cache lives under dataDir (no re-interview, so no re-read of every code), and
// each lock's memory is a JSON file restored into its mock node before the radio starts.
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { CommandClasses, type SecurityClass } from "@zwave-js/core";
import {
  MockController,
  MockNode,
  MockZWaveFrameType,
  ccCaps,
  type MockControllerBehavior,
  type PartialCCCapabilities,
} from "@zwave-js/testing";
import { FunctionType, KeypadMode, UserIDStatus, type Driver, type ZWaveNode } from "zwave-js";
import {
  createAndStartDriverWithMockPort,
  createDefaultMockControllerBehaviors,
  createDefaultMockNodeBehaviors,
} from "zwave-js/Testing";
import type { DriverLogger, SimulatedLockConfig } from "../../contract.js";
import { radioIdOf, type ZWaveBackend } from "../backend.js";
import { waitForDriverReady } from "../driver-ready.js";
import type { LockProfile } from "../lock-handle.js";
import { ZWaveLockSimulator, type SimulatedNetworkAccess } from "./lock-simulator.js";
import { createDoorLockBehaviors, ZWaveSimDoor } from "./door-lock-behaviors.js";
import { createLockBehaviors } from "./mock-behaviors.js";
import { createUserCodeBehaviors } from "./user-code-behaviors.js";
import { MockLockMemory } from "./mock-lock-memory.js";
import { ACCESS_CONTROL, AccessControlEvent, HOME_SECURITY, HomeSecurityEvent, POWER_MANAGEMENT, PowerManagementEvent } from "../notifications.js";
import { normaliseCodeLengths, type ZWaveSimulationOptions } from "../options.js";
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

/** The node a simulated lock shows over the air (entry-control device class, FLiRS if on battery). */
export function lockCommandClasses(config: SimulatedLockConfig): PartialCCCapabilities[] {
  const ccs: PartialCCCapabilities[] = [
    ccCaps({
      ccId: CommandClasses["User Code"],
      isSupported: true,
      version: 2,
      numUsers: config.slots,
      supportsUserCodeChecksum: config.checksum,
      supportedASCIIChars: "0123456789",
      // No admin code: its interview queries would only add radio traffic.
      supportsAdminCode: false,
      supportsAdminCodeDeactivation: false,
      supportedKeypadModes: [KeypadMode.Normal],
      supportedUserIDStatuses: [UserIDStatus.Available, UserIDStatus.Enabled, UserIDStatus.Disabled],
    }),
    ccCaps({
      ccId: CommandClasses.Notification,
      isSupported: true,
      version: 8,
      supportsV1Alarm: false,
      notificationTypesAndEvents: {
        [ACCESS_CONTROL]: Object.values(AccessControlEvent),
        [HOME_SECURITY]: Object.values(HomeSecurityEvent),
        [POWER_MANAGEMENT]: Object.values(PowerManagementEvent),
      },
    }),
    ccCaps({ ccId: CommandClasses["Door Lock"], isSupported: true, version: 4 }),
    { ccId: CommandClasses.Supervision, isSupported: true, version: 1 },
  ];
  if (config.battery !== false) ccs.push({ ccId: CommandClasses.Battery, isSupported: true, version: 1 });
  if (config.native_scheduling) {
    ccs.push(
      ccCaps({
        ccId: CommandClasses["Schedule Entry Lock"],
        isSupported: true,
        version: 3,
        numWeekDaySlots: 0,
        numYearDaySlots: 1,
        numDailyRepeatingSlots: 0,
      }),
    );
  }
  return ccs;
}

/** Bumped when the simulated node's command classes change, so caches of older simulated nodes are dropped. */
const SIMULATED_NODE_REVISION = 2;

/** How a simulated lock node differs between hosts (this simulation, the test TCP bridge). */
export interface LockNodeOptions {
  readonly radioTime: ZWaveRadioTime;
  /** The node's command classes; default: lockCommandClasses(lock.config). */
  readonly commandClasses?: PartialCCCapabilities[];
  /** Security classes the node was granted (the controller must hold the keys). */
  readonly securityClasses?: ReadonlySet<SecurityClass>;
}

/** Puts a simulated lock on the mock controller's air: its MockNode, restored memory and behaviours. */
export async function addLockNode(controller: MockController, lock: SimLock, options: LockNodeOptions): Promise<MockNode> {
  const battery = lock.config.battery !== false;
  const node = await MockNode.create({
    id: lock.nodeId,
    controller,
    capabilities: {
      genericDeviceClass: 0x40, // Entry Control
      specificDeviceClass: 0x03, // Secure Keypad Door Lock
      isListening: !battery,
      // Battery locks are FLiRS: woken by a beam, so zwave-js treats them as always reachable.
      isFrequentListening: battery ? "1000ms" : false,
      commandClasses: options.commandClasses ?? lockCommandClasses(lock.config),
      ...(options.securityClasses ? { securityClasses: new Set(options.securityClasses) } : {}),
    },
  });
  options.radioTime.nodeCreated(node);
  lock.memory.applyTo(node.state);
  lock.mockNode = node;
  lock.door?.dispose();
  lock.door = new ZWaveSimDoor(lock);
  lock.applyLinkState();
  controller.addNode(node);
  node.defineBehavior(...createDefaultMockNodeBehaviors());
  // Between the defaults and the lock's own behaviours: silence and faults must see a frame first.
  node.defineBehavior(...createDoorLockBehaviors(lock.door));
  node.defineBehavior(...createUserCodeBehaviors(lock));
  node.defineBehavior(...createLockBehaviors(lock));
  return node;
}

/** What the zwave-js cache learned in the interview; when it changes, the cache is stale. */
function interviewFingerprint(locks: readonly SimulatedLockConfig[]): string {
  return JSON.stringify([SIMULATED_NODE_REVISION, ...locks.map((l) => [l.slots, l.checksum, l.native_scheduling, l.battery !== false, l.multi_code === true])]);
}

export class ZWaveSimulation implements ZWaveBackend, SimulatedNetworkAccess {
  readonly commandTimeoutMs: number;
  readonly simulator: ZWaveLockSimulator;
  readonly homeId: number;
  /** The radio-time model of this network (simulation.radio_time); changeable at run time. */
  readonly radioTime: ZWaveRadioTime;
  private readonly configs: readonly SimulatedLockConfig[];
  private readonly simLocks = new Map<number, SimLock>();
  private zwave: Driver | null = null;
  private controller: MockController | null = null;
  private lastExclusionCallbackId: number | undefined;
  private hostMessagesSinceTrim = 0;

  constructor(
    private readonly options: ZWaveSimulationOptions & { readonly dataDir: string; readonly simulationSeed: string },
    private readonly logger: DriverLogger,
  ) {
    // With radio time a battery lock takes a beam per command, as long as a real one: the real budget.
    this.commandTimeoutMs = options.commandTimeoutMs ?? (options.radioTime === "realistic" ? REALISTIC_COMMAND_TIMEOUT_MS : DEFAULT_COMMAND_TIMEOUT_MS);
    this.homeId = simulatedHomeId(options.simulationSeed);
    this.radioTime = new ZWaveRadioTime(zwaveRadioTimeModel(options.radioTime));
    this.configs = options.locks.filter((l) => l.protocol === "zwave");
    for (const config of this.configs) {
      normaliseCodeLengths(config.code_lengths, `simulation.locks[${config.name}]`);
      if (!Number.isInteger(config.slots) || config.slots < 1 || config.slots > 255) {
        throw new Error(`simulation.locks[${config.name}].slots must be 1..255 (a User Code Get addresses at most 255 users)`);
      }
    }
    this.simulator = new ZWaveLockSimulator(this);
  }

  // ---- ZWaveBackend -------------------------------------------------------------------------

  async open(): Promise<Driver> {
    const cacheDir = path.join(this.options.dataDir, "zwave-cache");
    const simDir = path.join(this.options.dataDir, "zwave-simulation");
    await mkdir(simDir, { recursive: true, mode: 0o700 });
    await this.dropStaleCache(cacheDir, simDir);
    await mkdir(cacheDir, { recursive: true, mode: 0o700 });
    await this.loadLocks(simDir);

    const { driver, continueStartup, mockPort, serial } = await createAndStartDriverWithMockPort({
      logConfig: { enabled: false },
      storage: { cacheDir },
      // Without this, a first interview (fresh cache) CLEARS every user code on the lock.
      interview: { queryAllUserCodes: true },
      // One radio attempt per command: the executor retries, and a silent lock fails in ~1 s.
      attempts: { sendData: 1 },
    });
    this.zwave = driver;
    const wait = waitForDriverReady(driver, DRIVER_READY_TIMEOUT_MS, this.logger);
    try {
      const controller = await MockController.create({ mockPort, serial, homeId: this.homeId, ownNodeId: 1 });
      this.controller = controller;
      controller.defineBehavior(...createDefaultMockControllerBehaviors());
      // A separate, later call: defineBehavior puts its arguments IN FRONT, and our hooks must see
      // every frame before the defaults consume it.
      controller.defineBehavior(...this.controllerHooks());
      this.radioTime.install(controller);
      for (const lock of this.simLocks.values()) {
        if (!lock.memory.snapshot.excluded) await addLockNode(controller, lock, { radioTime: this.radioTime });
      }
      continueStartup();
      await wait.ready;
    } catch (e) {
      wait.cancel();
      await this.close();
      throw e;
    }
    return driver;
  }

  profileFor(node: ZWaveNode): LockProfile {
    const lock = this.simLocks.get(node.id);
    return {
      name: lock?.config.name ?? `Simulated Z-Wave node ${node.id}`,
      manufacturer: "lockbridge",
      model: "Simulated Z-Wave keypad lock",
      simulated: true,
      isBattery: lock?.config.battery !== false,
      codeLengths: lock?.codeLengths ?? [],
      masksDigits: () => lock?.masksDigits() ?? false,
    };
  }

  async close(): Promise<void> {
    for (const lock of this.simLocks.values()) lock.door?.dispose();
    await Promise.all([...this.simLocks.values()].map((l) => l.memory.flush()));
    if (this.zwave) await this.zwave.destroy().catch(() => undefined);
    this.zwave = null;
    this.controller?.destroy();
    this.controller = null;
  }

  // ---- SimulatedNetworkAccess (for lock-simulator.ts) ----------------------------------------

  lock(radioId: string): SimLock {
    for (const lock of this.simLocks.values()) if (lock.radioId === radioId) return lock;
    throw new Error(`no simulated Z-Wave lock ${radioId}`);
  }

  locks(): SimLock[] {
    return [...this.simLocks.values()];
  }

  driver(): Driver {
    if (!this.zwave) throw new Error("the simulated Z-Wave network is not running");
    return this.zwave;
  }

  mockController(): MockController {
    if (!this.controller) throw new Error("the simulated Z-Wave network is not running");
    return this.controller;
  }

  exclusionCallbackId(): number | undefined {
    return this.lastExclusionCallbackId;
  }

  // ---- internals ----------------------------------------------------------------------------

  /** zwave-js's cache describes the locks as first interviewed; a changed config needs a fresh one. */
  private async dropStaleCache(cacheDir: string, simDir: string): Promise<void> {
    const file = path.join(simDir, "network.json");
    const fingerprint = interviewFingerprint(this.configs);
    let previous: unknown = null;
    try {
      previous = JSON.parse(await readFile(file, "utf8"));
    } catch {
      previous = null;
    }
    const same =
      typeof previous === "object" && previous !== null && (previous as Record<string, unknown>)["fingerprint"] === fingerprint;
    if (same) return;
    if (previous !== null) this.logger.info({}, "simulated Z-Wave locks changed; they will be interviewed again");
    await rm(cacheDir, { recursive: true, force: true });
    await writeFile(file, JSON.stringify({ fingerprint }), { mode: 0o600 });
  }

  private async loadLocks(simDir: string): Promise<void> {
    this.simLocks.clear();
    for (const [i, config] of this.configs.entries()) {
      const nodeId = FIRST_LOCK_NODE_ID + i;
      const memory = await MockLockMemory.load(path.join(simDir, `lock-node-${nodeId}.json`), config.slots, this.logger);
      const codeLengths = normaliseCodeLengths(config.code_lengths, `simulation.locks[${config.name}]`);
      this.simLocks.set(nodeId, new SimLock(nodeId, radioIdOf(this.homeId, nodeId), config, codeLengths, memory));
    }
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
          if (frame.type === MockZWaveFrameType.Request) this.simLocks.get(node.id)?.countFrame();
          return false;
        },
        // Remember the callback id of an exclusion the hub started; simulator.remove() answers it.
        onHostMessage: (controller, msg) => {
          if (msg.functionType === FunctionType.RemoveNodeFromNetwork && msg.callbackId) {
            this.lastExclusionCallbackId = msg.callbackId;
          }
          this.forgetRecordedFrames(controller);
          return false;
        },
      },
    ];
  }
}
