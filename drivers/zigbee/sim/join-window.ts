// What the simulated coordinator admits, as a real one: a device joins only while permit-join is open;
// a window opened with install codes admits only the devices whose install code was given, and only when
// the code the hub gave (herdsman fixes a bad CRC instead of refusing it) is the one the lock holds.

export type JoinVerdict = "admitted" | "window_closed" | "install_code_required" | "install_code_mismatch";

export class JoinWindow {
  private openUntil = 0;
  /** Codes given since the last window opened; they belong to the next one. */
  private pending = new Map<string, Buffer>();
  /** The codes of the open window: when any are set, only these devices may join. */
  private codes = new Map<string, Buffer>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The coordinator's permit join (herdsman calls it with 1..254 s, or 0 to close). */
  permit(seconds: number): void {
    if (seconds <= 0) {
      this.openUntil = 0;
      this.codes = new Map();
      return;
    }
    this.openUntil = this.now() + seconds * 1000;
    this.codes = this.pending;
    this.pending = new Map();
  }

  /** herdsman's addInstallCode: `key` is the install code with its CRC (as herdsman adjusted it). */
  addInstallCode(ieee: string, key: Buffer): void {
    this.pending.set(ieee.toLowerCase(), Buffer.from(key));
  }

  get isOpen(): boolean {
    return this.now() < this.openUntil;
  }

  /** Whether a device with this address and install code may join now. */
  verdict(ieee: string, installCode: Buffer | null): JoinVerdict {
    if (!this.isOpen) return "window_closed";
    if (this.codes.size === 0) return "admitted";
    const expected = this.codes.get(ieee.toLowerCase());
    if (!expected) return "install_code_required";
    return installCode && expected.equals(installCode) ? "admitted" : "install_code_mismatch";
  }
}
