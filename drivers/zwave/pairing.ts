// The contract's RadioPairing over zwave-js's Controller API: inclusion (S2 with PIN or DSK, S0,
// insecure only when asked), exclusion, failed-node removal and replacement, SmartStart. zwave-js waits
// forever for a node: the hub closes windows itself (session.stop). One session at a time, as the
// controller allows; a SmartStart inclusion the controller starts by itself reports to onUnsolicited.
import {
  ExclusionStrategy,
  InclusionState,
  InclusionStrategy,
  ZWaveError,
  ZWaveErrorCodes,
  type Driver,
  type InclusionOptions,
  type InclusionResult,
  type ZWaveNode,
} from "zwave-js";
import {
  PairingError,
  type DriverLogger,
  type IncludeOptions,
  type PairingListener,
  type PairingSession,
  type PairingSimulator,
  type PairingUpdate,
  type RadioPairing,
} from "../contract.js";
import { MESSAGES, ZWavePairingSession, normaliseDsk, type SessionKind } from "./pairing-session.js";
import { ZWaveSmartStart } from "./smart-start.js";
import { endStaleKeyExchangeWaits } from "./zwave-js-quirks.js";

export interface PairingHost {
  /** The running zwave-js driver, or null before start / after stop. */
  driver(): Driver | null;
  radioIdOf(nodeId: number): string;
  /** The node id behind a radio id of this network, or null. */
  nodeIdOf(radioId: string): number | null;
  readonly logger: DriverLogger;
}

const IDLE_STATES: ReadonlySet<InclusionState> = new Set([InclusionState.Idle, InclusionState.SmartStart]);

export class ZWavePairing implements RadioPairing {
  readonly smartStart: ZWaveSmartStart;
  private active: ZWavePairingSession | null = null;
  private readonly unsolicitedListeners: PairingListener[] = [];

  constructor(
    private readonly host: PairingHost,
    readonly simulator?: PairingSimulator,
  ) {
    this.smartStart = new ZWaveSmartStart(() => this.requireDriver(), (nodeId) => host.radioIdOf(nodeId));
  }

  /** Follows the controller's inclusion events; call once the driver is ready. */
  attach(driver: Driver): void {
    const controller = driver.controller;
    controller.on("inclusion started", (strategy) => {
      // The controller includes a provisioned SmartStart lock by itself.
      if (strategy === InclusionStrategy.SmartStart && !this.active) {
        this.active = new ZWavePairingSession("smart_start", (u) => this.unsolicited(u), async () => undefined);
      }
    });
    controller.on("node found", (found) => {
      const session = this.active;
      if (!session || session.kind === "exclude") return;
      session.nodeId = found.id;
      session.report({ type: "device_found" });
    });
    controller.on("node added", (node, result) => this.onNodeAdded(driver, node, result));
    controller.on("node removed", (node) => {
      if (this.active?.kind === "exclude") this.finish({ type: "left", radioId: this.host.radioIdOf(node.id) });
    });
    controller.on("inclusion state changed", (state) => {
      if (!IDLE_STATES.has(state)) return;
      // "node added" / "node removed" come right after the state returns to idle: decide after them.
      const session = this.active;
      setImmediate(() => {
        if (!session || this.active !== session || session.done) return;
        this.finish(session.nodeId !== null ? { type: "failed", error: "timeout", message: MESSAGES.notAdded } : { type: "closed" });
      });
    });
  }

  /** The controller went away (driver.ts opens a new one): a running session cannot go on on it. */
  controllerLost(): void {
    const session = this.active;
    this.active = null;
    if (!session || session.done) return;
    session.abandon();
    session.report({ type: "controller_lost", message: MESSAGES.controllerLost });
  }

  onUnsolicited(listener: PairingListener): void {
    this.unsolicitedListeners.push(listener);
  }

  async include(options: IncludeOptions, listener: PairingListener): Promise<PairingSession> {
    const driver = this.claim();
    const dsk = options.dsk === undefined ? null : normaliseDsk(options.dsk);
    if (options.dsk !== undefined && dsk === null) throw new PairingError("invalid_dsk", "dsk must be 8 blocks of 5 digits (40 digits), as printed under the lock's QR code");
    const strategy = options.strategy ?? "default";
    if (dsk !== null && (strategy === "s0" || strategy === "insecure")) throw new PairingError("invalid_dsk", "a DSK is for S2 inclusion; drop it or use strategy s2/default");
    const session = this.open("include", listener, dsk, () => driver.controller.stopInclusion().then(() => undefined));
    const callbacks = session.callbacks();
    const zwaveOptions: InclusionOptions =
      strategy === "s2"
        ? { strategy: InclusionStrategy.Security_S2, userCallbacks: callbacks }
        : strategy === "s0"
          ? { strategy: InclusionStrategy.Security_S0 }
          : strategy === "insecure"
            ? { strategy: InclusionStrategy.Insecure }
            : // S2 when the lock offers it, else S0: an entry-control device is never included insecurely by default.
              { strategy: InclusionStrategy.Default, userCallbacks: callbacks, forceSecurity: true };
    await this.start(session, () => driver.controller.beginInclusion(zwaveOptions));
    this.host.logger.info({ strategy, dskGiven: dsk !== null }, "z-wave inclusion started");
    return session;
  }

  async exclude(listener: PairingListener): Promise<PairingSession> {
    const driver = this.claim();
    const session = this.open("exclude", listener, null, () => driver.controller.stopExclusion().then(() => undefined));
    // An excluded SmartStart lock keeps its (now inactive) entry, so it does not join again by itself.
    await this.start(session, () => driver.controller.beginExclusion({ strategy: ExclusionStrategy.DisableProvisioningEntry }));
    this.host.logger.info({}, "z-wave exclusion started");
    return session;
  }

  async replace(radioId: string, options: Pick<IncludeOptions, "dsk">, listener: PairingListener): Promise<PairingSession> {
    const driver = this.claim();
    const nodeId = this.nodeOf(driver, radioId);
    const dsk = options.dsk === undefined ? null : normaliseDsk(options.dsk);
    if (options.dsk !== undefined && dsk === null) throw new PairingError("invalid_dsk", "dsk must be 8 blocks of 5 digits (40 digits)");
    const session = this.open("replace", listener, dsk, () => driver.controller.stopInclusion().then(() => undefined));
    session.nodeId = nodeId;
    try {
      await this.start(session, () => driver.controller.replaceFailedNode(nodeId, { strategy: InclusionStrategy.Security_S2, userCallbacks: session.callbacks() }));
    } catch (e) {
      if (e instanceof ZWaveError && (e.code === ZWaveErrorCodes.ReplaceFailedNode_Failed || e.code === ZWaveErrorCodes.ReplaceFailedNode_NodeOK)) {
        throw new PairingError("not_failed", "the lock still answers the hub: only a failed (dead) lock can be replaced; exclude it instead");
      }
      throw e;
    }
    this.host.logger.info({ nodeId, dskGiven: dsk !== null }, "z-wave replacement started");
    return session;
  }

  async remove(radioId: string): Promise<void> {
    const driver = this.requireDriver();
    const nodeId = this.nodeOf(driver, radioId);
    if (this.active) throw new PairingError("busy", "the Z-Wave radio is pairing; stop that pairing first");
    const node = driver.controller.nodes.get(nodeId);
    if (node && (await node.ping())) {
      throw new PairingError("exclusion_required", "the lock still answers the hub: remove it by exclusion (lockbridge unpair, or /hub/unpairing/start and press its button)");
    }
    try {
      await driver.controller.removeFailedNode(nodeId);
    } catch (e) {
      if (e instanceof ZWaveError && (e.code === ZWaveErrorCodes.RemoveFailedNode_NodeOK || e.code === ZWaveErrorCodes.RemoveFailedNode_Failed)) {
        throw new PairingError("exclusion_required", "the controller did not remove the lock (it answered, or is not marked failed yet): exclude it, or try again in a minute");
      }
      throw e;
    }
    this.host.logger.info({ nodeId }, "failed z-wave lock removed");
  }

  // ---- internals ----------------------------------------------------------------------------

  private requireDriver(): Driver {
    const driver = this.host.driver();
    if (!driver) throw new PairingError("unsupported", "the Z-Wave radio is not running");
    return driver;
  }

  /** The driver, if the controller is free to pair. */
  private claim(): Driver {
    const driver = this.requireDriver();
    if (this.active || !IDLE_STATES.has(driver.controller.inclusionState)) throw new PairingError("busy", "the Z-Wave controller is already pairing");
    return driver;
  }

  private nodeOf(driver: Driver, radioId: string): number {
    const nodeId = this.host.nodeIdOf(radioId);
    if (nodeId === null || !driver.controller.nodes.has(nodeId)) throw new PairingError("unknown_lock", "this lock is not in the Z-Wave network");
    return nodeId;
  }

  private open(kind: SessionKind, listener: PairingListener, dsk: string | null, stopRadio: () => Promise<void>): ZWavePairingSession {
    const session = new ZWavePairingSession(kind, listener, async (s) => {
      if (this.active === s) await stopRadio().catch((e: unknown) => this.host.logger.warn({ err: e instanceof Error ? e.message : String(e) }, "z-wave pairing stop failed"));
    }, dsk);
    this.active = session;
    return session;
  }

  private async start(session: ZWavePairingSession, begin: () => Promise<boolean>): Promise<void> {
    let started = false;
    try {
      started = await begin();
    } finally {
      if (!started && this.active === session) this.active = null;
    }
    if (!started) throw new PairingError("busy", "the Z-Wave controller is already pairing");
  }

  private onNodeAdded(driver: Driver, node: ZWaveNode, result: InclusionResult): void {
    const session = this.active;
    if (!session || (session.kind !== "include" && session.kind !== "replace" && session.kind !== "smart_start")) return;
    const radioId = this.host.radioIdOf(node.id);
    const update = session.outcome(node, result, radioId);
    if (update.type === "failed") {
      // The lock stays in the network without keys and is never used (zwave-js will not interview a node
      // whose S2 bootstrap failed). A wrong PIN also leaves a waiter that would break the next inclusion.
      endStaleKeyExchangeWaits(driver, node.id);
      this.host.logger.warn({ radioId, error: update.error }, "z-wave lock joined without security");
    } else if (!node.ready) {
      session.watchingInterview = true;
      node.once("interview failed", (_node, args) => {
        if (args.isFinal) session.report({ type: "interview_failed", radioId, message: args.errorMessage });
      });
    }
    this.finish(update);
  }

  private finish(update: PairingUpdate): void {
    const session = this.active;
    this.active = null;
    session?.report(update);
  }

  private unsolicited(update: PairingUpdate): void {
    for (const listener of this.unsolicitedListeners) {
      try {
        listener(update);
      } catch {
        // A listener must not break zwave-js's event handling.
      }
    }
  }
}
