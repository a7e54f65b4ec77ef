// Records the PairingUpdates of one session (or of unsolicited SmartStart inclusions) with bounded waits.
import type { PairingListener, PairingUpdate } from "../../drivers/contract.js";

export class PairingRecorder {
  readonly updates: PairingUpdate[] = [];
  private readonly waiters = new Set<() => void>();

  readonly listener: PairingListener = (update) => {
    this.updates.push(update);
    for (const wake of [...this.waiters]) wake();
  };

  types(): string[] {
    return this.updates.map((u) => u.type);
  }

  /** The first update of `type`, waiting up to `ms`. */
  async next<T extends PairingUpdate["type"]>(type: T, ms = 10_000): Promise<Extract<PairingUpdate, { type: T }>> {
    const find = () => this.updates.find((u): u is Extract<PairingUpdate, { type: T }> => u.type === type);
    const deadline = Date.now() + ms;
    for (;;) {
      const found = find();
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no "${type}" pairing update within ${ms} ms; got: ${this.types().join(", ")}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, 25);
        this.waiters.add(wake);
      });
    }
  }
}
