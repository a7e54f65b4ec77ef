// Factory-new simulated Z-Wave locks and their pairing button (protocol.md §7, /hub/simulate/new_lock
// and /hub/simulate/press_button). A new lock gets an ECDH key pair, so its label carries a real DSK
// and PIN (and, for SmartStart, a QR code zwave-js parses); a SmartStart lock that is powered and not
// in a network announces itself (a prime frame) every PRIME_INTERVAL_MS, as real ones do, and joins
// once the hub has provisioned its DSK.
import { randomUUID } from "node:crypto";
import { dskToString, generateECDHKeyPair } from "@zwave-js/core";
import { PairingError, type DriverLogger, type NewSimulatedLock, type PairingSimulator, type SimulatedLockLabel } from "../../contract.js";
import { newLockModel } from "../../sim/new-lock-model.js";
import { zwaveProfile } from "../../sim/profiles/index.js";
import { normaliseCodeLengths } from "../options.js";
import type { SimulatedInclusion } from "./inclusion-controller.js";
import { LOCK_DEVICE_CLASS, requestedSecurityClasses } from "./lock-node.js";
import type { NewLockRecord } from "./network-state.js";
import { smartStartQrCode } from "./qr-code.js";
import type { SimLock } from "./sim-lock.js";

/** How often an unpaired SmartStart lock announces itself (real locks: seconds to minutes). */
const PRIME_INTERVAL_MS = 500;
const DEFAULT_SLOTS = 20;
const DEFAULT_CODE_LENGTHS = [4, 5, 6, 7, 8];
/** Installer icon "Entry Control: Keypad Door Lock" (Z-Wave Plus Assigned Icon Types). */
const ICON_KEYPAD_DOOR_LOCK = 0x0300;

/** What this needs from the running simulated network (network.ts). */
export interface PairingNetworkAccess {
  locks(): SimLock[];
  lock(radioId: string): SimLock;
  bySimId(simId: string): SimLock | undefined;
  inclusion(): SimulatedInclusion;
  addFactoryNewLock(simId: string, record: NewLockRecord): Promise<SimLock>;
  dskOf(lock: SimLock): Uint8Array<ArrayBuffer> | null;
}

export class ZWavePairingSimulator implements PairingSimulator {
  private timer: NodeJS.Timeout | null = null;
  private nextPrime = 0;

  constructor(
    private readonly net: PairingNetworkAccess,
    private readonly logger: DriverLogger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.primeNext().catch(() => undefined), PRIME_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async newLock(spec: NewSimulatedLock): Promise<SimulatedLockLabel> {
    if (spec.protocol !== "zwave") throw new PairingError("unsupported", "this is the Z-Wave simulation");
    // A lock model gives its own facts (and security); the request's keys override them.
    const model = newLockModel("zwave", spec, { slots: DEFAULT_SLOTS, maxSlots: 255, codeLengths: DEFAULT_CODE_LENGTHS, limitNote: "on Z-Wave (a User Code Get addresses at most 255 users)" });
    const security = spec.security ?? zwaveProfile(spec.profile)?.zwave.security ?? "s2";
    const smartStart = spec.smart_start ?? false;
    if (smartStart && security !== "s2") throw new PairingError("unsupported", "SmartStart needs an S2 lock (security: \"s2\")");
    const codeLengths = normaliseCodeLengths(model.code_lengths, `new lock ${spec.name}`);
    const keyPair = security === "s2" ? await generateECDHKeyPair() : null;
    const record: NewLockRecord = {
      name: spec.name,
      ...model,
      code_lengths: codeLengths,
      security,
      smart_start: smartStart,
      ...(keyPair ? { private_key: Buffer.from(keyPair.privateKey).toString("hex") } : {}),
    };
    const simId = randomUUID();
    const lock = await this.net.addFactoryNewLock(simId, record);
    this.logger.info({ simId, security, smartStart }, "factory-new simulated Z-Wave lock powered");
    return { simId, ...this.label(lock, smartStart) };
  }

  async pressButton(target: { readonly simId: string } | { readonly radioId: string }): Promise<"joined" | "left" | "replaced" | "none"> {
    const lock = this.find(target);
    const outcome = await this.net.inclusion().pressButton(lock);
    return outcome === "ignored" ? "none" : outcome;
  }

  private find(target: { readonly simId: string } | { readonly radioId: string }): SimLock {
    if ("simId" in target) {
      const lock = this.net.bySimId(target.simId);
      if (!lock) throw new PairingError("unknown_lock", "no simulated Z-Wave lock has this sim_id");
      return lock;
    }
    try {
      return this.net.lock(target.radioId);
    } catch {
      throw new PairingError("unknown_lock", "no simulated Z-Wave lock has this device");
    }
  }

  private label(lock: SimLock, smartStart: boolean): Omit<SimulatedLockLabel, "simId"> {
    const dskBytes = this.net.dskOf(lock);
    if (!dskBytes) return {};
    const dsk = dskToString(dskBytes);
    const qrCode = smartStart
      ? smartStartQrCode({
          dsk: dskBytes,
          requested: requestedSecurityClasses(lock.spec.security),
          genericDeviceClass: LOCK_DEVICE_CLASS.generic,
          specificDeviceClass: LOCK_DEVICE_CLASS.specific,
          installerIconType: ICON_KEYPAD_DOOR_LOCK,
          manufacturerId: 0xffff,
          productType: 0x0001,
          productId: 0x0001,
          applicationVersion: [1, 0],
        })
      : undefined;
    return { dsk, pin: dsk.slice(0, 5), ...(qrCode ? { qrCode } : {}) };
  }

  /** One unpaired SmartStart lock per tick announces itself (the controller passes it on only while listening). */
  private async primeNext(): Promise<void> {
    const candidates = this.net.locks().filter((l) => l.spec.smartStart && l.nodeId === null && !l.offAir);
    if (candidates.length === 0) return;
    const lock = candidates[this.nextPrime++ % candidates.length];
    if (lock) await this.net.inclusion().prime(lock);
  }
}
