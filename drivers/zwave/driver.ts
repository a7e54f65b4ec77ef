// The LockDriver over zwave-js: follows nodes, turns them into LockHandles once interviewed, and
// translates zwave-js node/controller events into the contract's DriverEvents.
import { CommandClasses, SecurityClass } from "@zwave-js/core";
import { NodeStatus, RemoveNodeReason, type Driver, type ZWaveNode } from "zwave-js";
import type {
  DriverEvent,
  DriverEventListener,
  DriverLogger,
  LockDriver,
  LockHandle,
  LockSimulator,
} from "../contract.js";
import { ReconnectStopped, Reconnector } from "../reconnect.js";
import { nodeIdOfRadioId, radioIdOf, type ZWaveBackend } from "./backend.js";
import { isDriverFailure } from "./driver-ready.js";
import { userCodePayloadBudget } from "./frame-budget.js";
import { ZWaveLockHandle } from "./lock-handle.js";
import { batteryValueToEvent, notificationToEvent, notificationValueToEvent, userCodeValueToEvent, type ValueChange } from "./notifications.js";
import { ZWavePairing } from "./pairing.js";
import { stopSmartStartBeforeDestroy } from "./zwave-js-quirks.js";

export class ZWaveLockDriver implements LockDriver {
  readonly protocol = "zwave" as const;
  readonly simulator?: LockSimulator;
  readonly pairing: ZWavePairing;
  private zwave: Driver | null = null;
  private readonly handles = new Map<number, ZWaveLockHandle>();
  private readonly attached = new Set<number>();
  private readonly listeners: DriverEventListener[] = [];
  /** Last availability reported per node, so "dead" twice is one event. */
  private readonly online = new Map<number, boolean>();
  /**
   * slot_changed events from User Code value updates wait one microtask: when a lock reports
   * "all user codes deleted", zwave-js blanks every cached code (one value event each) right
   * BEFORE it emits the notification; that flood is dropped in favour of all_slots_cleared.
   */
  private readonly pendingReports = new Map<number, DriverEvent[]>();
  /** Nodes being (re-)interviewed: their User Code values are zwave-js reading every slot. */
  private readonly interviewing = new Set<number>();

  /** Opens the controller, and again after it was lost, with bounded backoff. */
  private readonly reconnector: Reconnector;
  private started = false;

  constructor(
    private readonly backend: ZWaveBackend,
    private readonly logger: DriverLogger,
  ) {
    if (backend.simulator) this.simulator = backend.simulator;
    this.pairing = new ZWavePairing(
      {
        driver: () => this.zwave,
        radioIdOf: (nodeId) => radioIdOf(this.zwave?.controller.homeId ?? 0, nodeId),
        nodeIdOf: (radioId) => nodeIdOfRadioId(this.zwave?.controller.homeId ?? 0, radioId),
        logger,
      },
      backend.pairingSimulator,
    );
    this.reconnector = new Reconnector({ what: "z-wave controller", logger });
  }

  /**
   * Resolves once the controller is open. A controller that is not there (unplugged, its socket
   * refusing) is retried with backoff until it is, or until stop().
   */
  async start(): Promise<void> {
    if (this.started) throw new Error("the Z-Wave driver is already started");
    this.started = true;
    this.reconnector.reset();
    await this.open(true);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.reconnector.stop();
    const zwave = this.zwave;
    this.zwave = null;
    for (const handle of this.handles.values()) handle.markRemoved();
    try {
      if (zwave) await destroyDriver(zwave);
    } finally {
      await this.backend.close();
    }
  }

  private async open(first: boolean): Promise<void> {
    const zwave = await this.reconnector.until(() => this.backend.open(), first);
    if (!this.started) {
      await destroyDriver(zwave).catch(() => undefined);
      return;
    }
    this.zwave = zwave;
    zwave.on("error", (e) => {
      if (isDriverFailure(e)) this.onControllerLost(zwave, e.message);
    });
    zwave.controller.on("node added", (node) => this.attachNode(node));
    zwave.controller.on("node removed", (node, reason) => this.onNodeRemoved(node, reason));
    this.pairing.attach(zwave);
    for (const node of zwave.controller.nodes.values()) this.attachNode(node);
    this.logger.info({ homeId: (zwave.controller.homeId ?? 0).toString(16), nodes: zwave.controller.nodes.size }, "z-wave driver ready");
  }

  /**
   * zwave-js gave up on the controller (USB stick pulled, socket closed and not reopened). Every lock
   * goes offline, their handles fail fast, a running pairing fails, and a new zwave-js Driver is opened
   * with backoff; the locks come back through lock_ready once it is up.
   */
  private onControllerLost(zwave: Driver, reason: string): void {
    if (this.zwave !== zwave || !this.started) return;
    this.zwave = null;
    this.logger.warn({ reason }, "z-wave controller lost; its locks are offline until it is back");
    this.pairing.controllerLost();
    for (const [nodeId, handle] of this.handles) {
      handle.markControllerLost();
      if (this.online.get(nodeId) !== false) this.emit({ type: "availability", radioId: handle.identity.radioId, online: false });
    }
    this.handles.clear();
    this.attached.clear();
    this.online.clear();
    this.interviewing.clear();
    this.pendingReports.clear();
    void (async () => {
      await destroyDriver(zwave).catch(() => undefined);
      await this.backend.close().catch(() => undefined);
      await this.open(false);
    })().catch((e: unknown) => {
      if (!(e instanceof ReconnectStopped)) this.logger.error({ err: e instanceof Error ? e.message : String(e) }, "z-wave controller not reopened");
    });
  }

  locks(): LockHandle[] {
    return [...this.handles.values()];
  }

  onEvent(listener: DriverEventListener): void {
    this.listeners.push(listener);
  }

  private emit(event: DriverEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (e) {
        this.logger.error({ event: event.type, err: e instanceof Error ? e.message : String(e) }, "driver event listener threw");
      }
    }
  }

  private radioId(node: ZWaveNode): string {
    return radioIdOf(this.zwave?.controller.homeId ?? 0, node.id);
  }

  private attachNode(node: ZWaveNode): void {
    if (node.isControllerNode || this.attached.has(node.id)) return;
    this.attached.add(node.id);
    node.on("interview started", () => this.interviewing.add(node.id));
    node.on("interview failed", (_node, args) => {
      this.logger.warn({ nodeId: node.id, reason: args.errorMessage, final: args.isFinal }, "z-wave interview failed");
    });
    node.on("ready", () => {
      this.interviewing.delete(node.id);
      this.onNodeReady(node);
    });
    node.on("dead", () => this.setOnline(node, false));
    node.on("alive", () => this.setOnline(node, true));
    node.on("wake up", () => this.setOnline(node, true));
    // An asleep node is reachable at its next wake-up: not "offline" in Seam's sense.
    node.on("sleep", () => this.logger.debug({ radioId: this.radioId(node) }, "z-wave lock asleep"));
    node.on("notification", (_endpoint, ccId, args) => {
      if (ccId === CommandClasses.Notification) this.onNotification(node, args);
    });
    node.on("value added", (_node, args) => this.onValue(node, args));
    node.on("value updated", (_node, args) => this.onValue(node, args));
    if (node.ready) this.onNodeReady(node);
  }

  private onNodeReady(node: ZWaveNode): void {
    if (this.handles.has(node.id) || !this.zwave) return;
    if (!node.supportsCC(CommandClasses["User Code"])) {
      this.logger.debug({ nodeId: node.id }, "z-wave node without User Code CC ignored");
      return;
    }
    if (node.getHighestSecurityClass() === SecurityClass.None) {
      // protocol.md §7: a lock without S2/S0 keys cannot use codes safely and never becomes a device.
      this.logger.warn({ radioId: this.radioId(node) }, "z-wave lock is in the network without security; not used (exclude it and include it again)");
      return;
    }
    const zwave = this.zwave;
    const handle = new ZWaveLockHandle(node, this.radioId(node), this.backend.profileFor(node), {
      commandTimeoutMs: this.backend.commandTimeoutMs,
      logger: this.logger,
      emit: (event) => this.emit(event),
      payloadBudget: () => userCodePayloadBudget(zwave, node, { supervised: node.supportsCC(CommandClasses.Supervision) }),
    });
    this.handles.set(node.id, handle);
    this.online.set(node.id, node.status !== NodeStatus.Dead);
    const caps = handle.capabilities();
    this.logger.info(
      { radioId: handle.identity.radioId, slots: caps.slotCount, checksum: caps.supportsChecksum, schedule: caps.supportsNativeSchedule },
      "z-wave lock ready",
    );
    this.emit({ type: "lock_ready", lock: handle });
  }

  private setOnline(node: ZWaveNode, online: boolean): void {
    const handle = this.handles.get(node.id);
    if (!handle || this.online.get(node.id) === online) return;
    this.online.set(node.id, online);
    this.logger.info({ radioId: handle.identity.radioId, online }, "z-wave lock availability");
    this.emit({ type: "availability", radioId: handle.identity.radioId, online });
  }

  private onNotification(node: ZWaveNode, args: unknown): void {
    const handle = this.handles.get(node.id);
    if (!handle || typeof args !== "object" || args === null) return;
    const { type, event, parameters } = args as Record<string, unknown>;
    if (typeof type !== "number" || typeof event !== "number") return;
    const mapped = notificationToEvent(handle.identity.radioId, type, event, parameters);
    if (!mapped) return;
    if (mapped.type === "duplicate_refused") handle.noteDuplicateRefused(mapped.slot);
    // The lock confirming one of the hub's own writes is the write's proof, not a keypad change.
    if (mapped.type === "slot_changed" && mapped.cause === "keypad_added" && handle.noteCodeAdded(mapped.slot)) return;
    if (mapped.type === "all_slots_cleared") this.pendingReports.delete(node.id);
    // Operations go through the lock's reports: one event per operation, however the lock tells it.
    if (mapped.type === "lock_operation") handle.door.reports.announced(mapped.action === "locked", mapped.method, mapped.slot);
    else this.emit(mapped);
  }

  private onValue(node: ZWaveNode, args: ValueChange & { source?: string }): void {
    const handle = this.handles.get(node.id);
    // Before "ready" these are the interview's own reads; "driver" updates are zwave-js's guesses.
    if (!handle || args.source === "driver" || this.interviewing.has(node.id)) return;
    if (handle.door.onValue(args)) return;
    const notified = notificationValueToEvent(handle.identity.radioId, args);
    if (notified) {
      this.emit(notified);
      return;
    }
    const battery = batteryValueToEvent(handle.identity.radioId, args);
    if (battery) {
      this.emit(battery);
      return;
    }
    const report = userCodeValueToEvent(handle.identity.radioId, args);
    if (!report) return;
    if (handle.isSlotBusy(report.slot)) {
      handle.noteSlotReport(report.slot, "code" in report ? report.code : undefined);
      return;
    }
    const queue = this.pendingReports.get(node.id);
    if (queue) {
      queue.push(report);
      return;
    }
    this.pendingReports.set(node.id, [report]);
    queueMicrotask(() => {
      const events = this.pendingReports.get(node.id) ?? [];
      this.pendingReports.delete(node.id);
      for (const e of events) this.emit(e);
    });
  }

  private onNodeRemoved(node: ZWaveNode, reason: RemoveNodeReason): void {
    const handle = this.handles.get(node.id);
    this.handles.delete(node.id);
    this.attached.delete(node.id);
    this.interviewing.delete(node.id);
    this.online.delete(node.id);
    this.pendingReports.delete(node.id);
    if (!handle) return;
    handle.markRemoved();
    // A replacement keeps the node id, so the radio id: the new lock arrives with lock_ready.
    if (reason === RemoveNodeReason.Replaced || reason === RemoveNodeReason.ProxyReplaced) {
      this.logger.info({ radioId: handle.identity.radioId }, "z-wave lock replaced");
      return;
    }
    this.logger.info({ radioId: handle.identity.radioId }, "z-wave lock removed from the network");
    this.emit({ type: "lock_removed", radioId: handle.identity.radioId });
  }
}

/** zwave-js's destroy(), after the SmartStart switch-off it needs (zwave-js-quirks.ts). */
async function destroyDriver(zwave: Driver): Promise<void> {
  await stopSmartStartBeforeDestroy(zwave);
  await zwave.destroy();
}
