// The Zigbee LockDriver: one zigbee-herdsman Controller (on a real coordinator or on the simulated one),
// the locks it finds, and the events they send. Lock traffic lives in lock-handle.ts and lock-events.ts.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Controller, type Events, type Models } from "zigbee-herdsman";
import type { DriverEvent, DriverEventListener, LockDriver, LockHandle, LockIdentity } from "../contract.js";
import { ReconnectStopped, Reconnector } from "../reconnect.js";
import { routeHerdsmanLogs } from "./herdsman-logger.js";
import { LockEvents } from "./lock-events.js";
import { ZigbeeLockHandle } from "./lock-handle.js";
import { discoverLock, findDoorLockEndpoint } from "./lock-setup.js";
import { DEFAULT_REAL_TIMEOUT_MS, DEFAULT_SIMULATED_TIMEOUT_MS, parseNetworkKey, validateSerialOptions, type ZigbeeDriverOptions } from "./options.js";
import { ZigbeePairing } from "./pairing.js";
import { radioIdOf } from "./door-lock.js";
import { ProfileStore, type LockProfile } from "./profile-store.js";
import { registerSimulatedNetwork } from "./sim/install.js";
import { SimNetwork, type ZigbeeLockSimulator } from "./sim/network.js";

type ControllerOptions = ConstructorParameters<typeof Controller>[0];

interface TrackedLock {
  readonly handle: ZigbeeLockHandle;
  readonly events: LockEvents;
}

/** herdsman keeps devices, database and adapter in module-level state: one Controller per process. */
let running: ZigbeeDriver | null = null;

export class ZigbeeDriver implements LockDriver {
  readonly protocol = "zigbee" as const;
  readonly simulator?: ZigbeeLockSimulator;
  readonly pairing: ZigbeePairing;
  private readonly dir: string;
  private readonly timeoutMs: number;
  private readonly network: SimNetwork | null;
  private readonly profiles: ProfileStore;
  private readonly listeners: DriverEventListener[] = [];
  private readonly locksByIeee = new Map<string, TrackedLock>();
  /** Locks whose capabilities are being read, and when a failed read may be tried again. */
  private readonly setup = new Map<string, { inFlight: boolean; retryAt: number }>();
  private controller: Controller | null = null;
  private unregister: (() => void) | null = null;
  private readonly reconnector: Reconnector;

  constructor(private readonly options: ZigbeeDriverOptions) {
    this.dir = path.join(options.dataDir, "zigbee");
    if (options.mode === "serial") validateSerialOptions(options);
    const simulation = options.mode === "simulation" ? options : null;
    this.network = simulation ? new SimNetwork({ dataDir: this.dir, seed: options.simulationSeed, locks: simulation.locks, radioTime: simulation.radioTime }) : null;
    if (this.network) this.simulator = this.network;
    const network = this.network;
    this.pairing = new ZigbeePairing(
      {
        controller: () => this.controller,
        logger: options.logger,
        forget: (ieee) => this.onLeave(ieee),
        isSimulatedMember: (ieee) => network?.members().includes(ieee) ?? false,
      },
      network ?? undefined,
    );
    // A simulation without radio time answers within milliseconds; with it, a sleepy lock takes as long as a real one.
    const fastSimulation = simulation !== null && simulation.radioTime !== "realistic";
    this.timeoutMs = options.commandTimeoutMs ?? (fastSimulation ? DEFAULT_SIMULATED_TIMEOUT_MS : DEFAULT_REAL_TIMEOUT_MS);
    this.profiles = new ProfileStore(path.join(this.dir, "lock-profiles.json"));
    this.reconnector = new Reconnector({ what: "zigbee coordinator", logger: options.logger });
  }

  /**
   * Resolves once the coordinator is up. A coordinator that is not there is retried with backoff until
   * it is, or until stop(); so is one that disconnects later (adapterDisconnected).
   */
  async start(): Promise<void> {
    if (running) throw new Error("a Zigbee driver is already running in this process (zigbee-herdsman allows one network per process)");
    running = this;
    this.reconnector.reset();
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      routeHerdsmanLogs(this.options.logger);
      await this.reconnector.until(() => this.startController(), true);
    } catch (error) {
      if (running === this) running = null;
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.reconnector.stop();
    const controller = this.controller;
    this.controller = null;
    try {
      if (controller) await controller.stop();
    } finally {
      this.unregister?.();
      this.unregister = null;
      this.dropLocks();
      this.network?.dispose();
      if (running === this) running = null;
    }
  }

  /** One attempt at bringing the herdsman Controller up on the coordinator. */
  private async startController(): Promise<void> {
    const controller = new Controller(this.controllerOptions());
    this.listen(controller);
    try {
      await controller.start();
      // Only a started Controller is ours: one still starting already answers device lookups from its database.
      this.controller = controller;
      if (this.options.mode === "serial" && this.options.permitJoin) await controller.permitJoin(254);
    } catch (error) {
      this.controller = null;
      this.unregister?.();
      this.unregister = null;
      // herdsman keeps its database and device cache in module state; a failed start must release them.
      await controller.stop().catch(() => undefined);
      throw error;
    }
    this.adoptKnownDevices(controller);
    this.network?.joinUnknown((ieee) => controller.getDeviceByIeeeAddr(ieee) !== undefined);
    this.options.logger.info({ mode: this.options.mode, locks: this.locksByIeee.size }, "zigbee network started");
  }

  /**
   * The coordinator went away (stick pulled, serial port closed). Its locks go offline, and a new
   * Controller is started with backoff; the locks come back through lock_ready, from herdsman's
   * database and the profile store, without radio traffic.
   */
  /** Forgets every lock handle; their doors stop any pending inferred report (a new handle replaces each). */
  private dropLocks(): void {
    for (const { handle } of this.locksByIeee.values()) handle.door.dispose();
    this.locksByIeee.clear();
    this.setup.clear();
  }

  private onAdapterDisconnected(controller: Controller): void {
    if (this.controller !== controller) return;
    this.controller = null;
    this.options.logger.warn({}, "zigbee coordinator disconnected; its locks are offline until it is back");
    this.pairing.controllerLost();
    for (const { handle } of this.locksByIeee.values()) handle.noteReachable(false);
    this.dropLocks();
    void (async () => {
      await controller.stop().catch(() => undefined);
      this.unregister?.();
      this.unregister = null;
      await this.reconnector.until(() => this.startController(), false);
    })().catch((error: unknown) => {
      if (!(error instanceof ReconnectStopped)) this.options.logger.error({ err: error instanceof Error ? error.message : String(error) }, "zigbee coordinator not restarted");
    });
  }

  locks(): LockHandle[] {
    return [...this.locksByIeee.values()].map((l) => l.handle);
  }

  onEvent(listener: DriverEventListener): void {
    this.listeners.push(listener);
  }

  /** Where the Controller's adapter comes from: the serial port, or this driver's simulated network. */
  private controllerOptions(): ControllerOptions {
    const paths = {
      databasePath: path.join(this.dir, "database.db"),
      databaseBackupPath: path.join(this.dir, "database.db.backup"),
      backupPath: path.join(this.dir, "coordinator-backup.json"),
      adapter: { disableLED: false },
      // Joins outside a window, or without the install code the window asked for, are refused (pairing.ts);
      // which admitted devices become locks is decided after the interview.
      acceptJoiningDeviceHandler: async (ieee: string) => this.pairing.accepts(ieee),
    };
    const options = this.options;
    if (options.mode === "serial") {
      return {
        ...paths,
        network: { panID: options.panId, channelList: [options.channel], networkKey: parseNetworkKey(options.networkKey) },
        transport: { path: options.port, adapter: options.adapter },
      };
    }
    if (!this.network) throw new Error("simulation mode without a simulated network");
    const registration = registerSimulatedNetwork(this.network, this.timeoutMs);
    this.unregister = registration.unregister;
    // The adapter name is not used for a simulated path; herdsman's type wants one.
    return { ...paths, network: { panID: 0x1a62, channelList: [15] }, transport: { path: registration.path, adapter: "zstack" } };
  }

  private listen(controller: Controller): void {
    controller.on("message", (message) => this.onMessage(message));
    controller.on("deviceInterview", ({ status, device }) => {
      if (status === "successful") this.adopt(device);
      else if (status === "failed") this.pairing.onInterviewFailed(device.ieeeAddr);
    });
    controller.on("deviceJoined", ({ device }) => this.pairing.onDeviceJoined(device.ieeeAddr));
    // A lost Controller's permit-join timer still runs out later: only the current one speaks for the window.
    controller.on("permitJoinChanged", ({ permitted }) => {
      if (this.controller === controller) this.pairing.onPermitJoinChanged(permitted);
    });
    controller.on("deviceLeave", ({ ieeeAddr }) => this.onLeave(ieeeAddr));
    controller.on("lastSeenChanged", ({ device }) => this.onHeard(device));
    controller.on("adapterDisconnected", () => this.onAdapterDisconnected(controller));
  }

  private adoptKnownDevices(controller: Controller): void {
    for (const device of controller.getDevicesIterator((d) => d.type !== "Coordinator")) {
      // A simulated network drops devices it no longer hosts (the configuration changed).
      if (this.network && !this.network.hosts(device.ieeeAddr)) {
        device.removeFromDatabase();
        continue;
      }
      // The hub stopped (or crashed) while the lock was being interviewed: herdsman only interviews on a
      // join, so the lock would stay half-known. Interview it again, then adopt it.
      if (device.interviewState !== "SUCCESSFUL") {
        this.reinterview(device);
        continue;
      }
      this.adopt(device);
    }
  }

  private reinterview(device: Models.Device): void {
    const radioId = radioIdOf(device.ieeeAddr);
    this.options.logger.info({ radioId }, "zigbee device interview was cut off; interviewing it again");
    device.interview().then(
      () => {
        if (this.controller) this.adopt(device);
      },
      () => this.options.logger.warn({ radioId }, "zigbee device interview failed again; it is adopted when it next joins"),
    );
  }

  /** Makes a lock of a device: from its saved profile (no radio traffic), or by reading its capabilities. */
  private adopt(device: Models.Device): void {
    const ieee = device.ieeeAddr;
    const state = this.setup.get(ieee);
    if (this.locksByIeee.has(ieee) || state?.inFlight || (state && Date.now() < state.retryAt)) return;
    const endpoint = findDoorLockEndpoint(device);
    if (!endpoint) return;
    const saved = this.profiles.get(ieee);
    if (saved && saved.endpoint === endpoint.ID) {
      this.track(device, saved);
      return;
    }
    this.setup.set(ieee, { inFlight: true, retryAt: 0 });
    const coordinatorEndpoint = this.controller?.getDevicesByType("Coordinator")[0]?.getEndpoint(1);
    const radioId = radioIdOf(ieee);
    discoverLock({ device, endpoint, coordinatorEndpoint, timeoutMs: this.timeoutMs, logger: this.options.logger, radioId }).then(
      (profile) => {
        this.setup.delete(ieee);
        if (!this.controller) return;
        this.profiles.put(ieee, profile);
        this.track(device, profile);
      },
      () => {
        // Tried again when the lock is next heard from, at most once per retry interval.
        this.setup.set(ieee, { inFlight: false, retryAt: Date.now() + 20 * this.timeoutMs });
        this.options.logger.warn({ radioId }, "lock capabilities not read; retrying when the lock is heard from");
      },
    );
  }

  private track(device: Models.Device, profile: LockProfile): void {
    const ieee = device.ieeeAddr;
    const identity = this.identityOf(device);
    const handle = new ZigbeeLockHandle(
      {
        identity,
        ieee,
        profiles: this.profiles,
        timeoutMs: this.timeoutMs,
        logger: this.options.logger,
        emit: (event) => this.emit(event),
        endpoint: () => this.controller?.getDeviceByIeeeAddr(ieee)?.getEndpoint(profile.endpoint),
      },
      profile,
    );
    this.locksByIeee.set(ieee, { handle, events: new LockEvents(handle, (event) => this.emit(event)) });
    this.emit({ type: "lock_ready", lock: handle });
  }

  private identityOf(device: Models.Device): LockIdentity {
    const ieee = device.ieeeAddr;
    const simulated = this.network?.describe().find((l) => l.ieee === ieee);
    const manufacturer = device.manufacturerName ?? null;
    const model = device.modelID ?? null;
    return {
      radioId: radioIdOf(ieee),
      protocol: "zigbee",
      name: simulated?.name ?? `${manufacturer ?? "Zigbee"} ${model ?? "lock"} ${ieee.slice(-4)}`,
      manufacturer,
      model,
      simulated: simulated !== undefined,
      // Most locks run on batteries; only a lock that says otherwise is treated as mains powered.
      isBattery: device.powerSource === undefined || device.powerSource === "Battery",
    };
  }

  private onMessage(message: Events.MessagePayload): void {
    this.locksByIeee.get(message.device.ieeeAddr)?.events.handle({ type: message.type, cluster: message.cluster, data: message.data });
  }

  private onHeard(device: Models.Device): void {
    const tracked = this.locksByIeee.get(device.ieeeAddr);
    if (tracked) tracked.handle.noteReachable(true);
    else if (this.setup.has(device.ieeeAddr)) this.adopt(device);
  }

  private onLeave(ieee: string): void {
    const tracked = this.locksByIeee.get(ieee);
    this.locksByIeee.delete(ieee);
    this.setup.delete(ieee);
    this.profiles.delete(ieee);
    tracked?.handle.door.dispose();
    if (tracked) this.emit({ type: "lock_removed", radioId: radioIdOf(ieee) });
  }

  private emit(event: DriverEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A failing listener must not break herdsman's event handling.
        this.options.logger.error({ err: error instanceof Error ? error.message : String(error), event: event.type }, "driver event listener failed");
      }
    }
  }
}
