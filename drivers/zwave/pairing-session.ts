// One Z-Wave pairing session (inclusion, exclusion, replacement, or an inclusion the controller runs
// by itself for SmartStart): the user callbacks zwave-js asks during S2 bootstrapping (grant what the
// lock requests; the PIN from the installer, or checked against a full DSK given up front), and what
// an inclusion's result means for the hub (joined with keys, or which pairing error).
import { SecurityClass } from "@zwave-js/core";
import { SecurityBootstrapFailure, type InclusionResult, type InclusionUserCallbacks, type ZWaveNode } from "zwave-js";
import { PairingError, type PairingErrorType, type PairingListener, type PairingSession, type PairingUpdate, type SecurityClassName } from "../contract.js";

export type SessionKind = "include" | "exclude" | "replace" | "smart_start";

const CLASS_NAMES: ReadonlyMap<SecurityClass, SecurityClassName> = new Map([
  [SecurityClass.S2_AccessControl, "S2_AccessControl"],
  [SecurityClass.S2_Authenticated, "S2_Authenticated"],
  [SecurityClass.S2_Unauthenticated, "S2_Unauthenticated"],
  [SecurityClass.S0_Legacy, "S0_Legacy"],
]);

export function classNames(classes: readonly SecurityClass[]): SecurityClassName[] {
  return classes.flatMap((c) => CLASS_NAMES.get(c) ?? []);
}

/** The classes zwave-js granted the node (its own bookkeeping after bootstrapping). */
export function grantedClasses(node: ZWaveNode): SecurityClassName[] {
  return [...CLASS_NAMES.entries()].filter(([c]) => node.hasSecurityClass(c) === true).map(([, name]) => name);
}

const EXCLUDE_AND_RETRY = "It is in the network without security and cannot hold access codes safely, so the hub will not use it: exclude it (lockbridge unpair, or /hub/unpairing/start and its button) and include it again";

export const MESSAGES = {
  wrongPin: `The PIN did not match the lock, so the S2 key exchange failed. ${EXCLUDE_AND_RETRY} with the 5-digit PIN from its label.`,
  dskMismatch: `The lock's DSK is not the DSK given for this pairing (another lock may have joined). ${EXCLUDE_AND_RETRY} with the DSK from its own label.`,
  timeout: `The lock did not finish the secure key exchange in time (no PIN entered, or it is too far from the hub). ${EXCLUDE_AND_RETRY} within a few metres of the hub.`,
  insecure: `The lock joined without S2 or S0 security. ${EXCLUDE_AND_RETRY} within a few metres of the hub.`,
  stopped: `The pairing was stopped during the key exchange. ${EXCLUDE_AND_RETRY}.`,
  notAdded: "The controller could not add the lock (it may already be in a network): exclude it first, then include it again.",
  controllerLost: "The Z-Wave controller was lost during the pairing (unplugged, or its connection closed). Start the pairing again once the hub shows the radio running; a lock that was half-way through joining must be excluded first.",
} as const;

/** A PIN is the first block of the DSK: five digits. */
const PIN = /^\d{5}$/;

/** "xxxxx-xxxxx-…" with 8 blocks, from 40 digits with or without separators; null when it is not a DSK. */
export function normaliseDsk(dsk: string): string | null {
  const digits = dsk.replace(/[\s-]/g, "");
  if (!/^\d{40}$/.test(digits)) return null;
  const blocks = digits.match(/\d{5}/g) ?? [];
  if (blocks.some((b) => Number(b) > 0xffff)) return null;
  return blocks.join("-");
}

export class ZWavePairingSession implements PairingSession {
  /** The node zwave-js is adding or replacing. */
  nodeId: number | null = null;
  private pinWaiter: ((pin: string | false) => void) | null = null;
  private pinAsked = false;
  private dskMismatch = false;
  private stopRequested = false;
  private finished = false;
  /** Interview outcome still to be reported after `joined` (see PairingUpdate). */
  watchingInterview = false;

  constructor(
    readonly kind: SessionKind,
    private readonly listener: PairingListener,
    private readonly stopper: (session: ZWavePairingSession) => Promise<void>,
    /** A full DSK given up front (normalised). */
    private readonly dsk: string | null = null,
  ) {}

  get done(): boolean {
    return this.finished;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  report(update: PairingUpdate): void {
    if (this.finished && update.type !== "interview_failed") return;
    if (update.type === "joined" || update.type === "left" || update.type === "failed" || update.type === "closed" || update.type === "controller_lost") this.finished = true;
    try {
      this.listener(update);
    } catch {
      // The hub's listener must not break zwave-js's event handling.
    }
  }

  providePin(pin: string): void {
    if (!this.pinWaiter) throw new PairingError("not_waiting_for_pin", "this pairing is not waiting for a PIN");
    if (!PIN.test(pin)) throw new PairingError("not_waiting_for_pin", "a PIN is the 5 digits printed on the lock (the first block of its DSK)");
    const wake = this.pinWaiter;
    this.pinWaiter = null;
    this.report({ type: "securing" });
    wake(pin);
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    if (this.pinWaiter) {
      // Refusing the PIN aborts the key exchange; zwave-js then reports the node added without security.
      const wake = this.pinWaiter;
      this.pinWaiter = null;
      wake(false);
      return;
    }
    await this.stopper(this);
  }

  /** The controller is gone: a PIN still awaited is refused, so the abandoned bootstrap ends. */
  abandon(): void {
    const wake = this.pinWaiter;
    this.pinWaiter = null;
    wake?.(false);
  }

  /** The S2 user callbacks: grant what the lock asks for; take the PIN from the installer or the DSK. */
  callbacks(): InclusionUserCallbacks {
    return {
      grantSecurityClasses: async (requested) => {
        this.report({ type: "security_requested", requested: classNames(requested.securityClasses) });
        return { securityClasses: [...requested.securityClasses], clientSideAuth: false };
      },
      validateDSKAndEnterPIN: async (partialDsk) => {
        if (this.dsk !== null) {
          // zwave-js hands over the DSK without its first block ("-xxxxx-…"); the rest must match.
          if (this.dsk.slice(5) === partialDsk) return this.dsk.slice(0, 5);
          this.dskMismatch = true;
          return false;
        }
        if (this.stopRequested) return false;
        this.pinAsked = true;
        const pin = new Promise<string | false>((resolve) => {
          this.pinWaiter = resolve;
        });
        // The listener may answer at once (providePin), so the waiter exists before the report.
        this.report({ type: "pin_needed", partialDsk });
        return pin;
      },
      abort: () => {
        this.pinWaiter?.(false);
        this.pinWaiter = null;
      },
    };
  }

  /** What zwave-js's "node added" means for the hub: the lock joined securely, or a pairing error. */
  outcome(node: ZWaveNode, result: InclusionResult, radioId: string): PairingUpdate {
    const granted = grantedClasses(node);
    if (result.lowSecurity && result.lowSecurityReason !== SecurityBootstrapFailure.S0Downgrade) {
      return { type: "failed", radioId, ...this.failureOf(result.lowSecurityReason) };
    }
    if (granted.length === 0) return { type: "failed", radioId, error: "insecure_inclusion", message: MESSAGES.insecure };
    return { type: "joined", radioId, granted };
  }

  private failureOf(reason: SecurityBootstrapFailure): { error: PairingErrorType; message: string } {
    if (this.dskMismatch) return { error: "wrong_pin", message: MESSAGES.dskMismatch };
    switch (reason) {
      case SecurityBootstrapFailure.S2IncorrectPIN:
        return { error: "wrong_pin", message: MESSAGES.wrongPin };
      case SecurityBootstrapFailure.Timeout:
        return { error: "timeout", message: MESSAGES.timeout };
      case SecurityBootstrapFailure.UserCanceled:
        if (this.stopRequested) return { error: "insecure_inclusion", message: MESSAGES.stopped };
        // zwave-js gave up waiting for the PIN (TAI2, 240 s).
        if (this.pinAsked) return { error: "timeout", message: MESSAGES.timeout };
        return { error: "insecure_inclusion", message: MESSAGES.insecure };
      default:
        return { error: "insecure_inclusion", message: MESSAGES.insecure };
    }
  }
}
