// PINs used by a suite, and the scan that fails when one shows up in a hub's logs.
export class PinLedger {
  readonly pins = new Set<string>();
  use(pin: string): string {
    this.pins.add(pin);
    return pin;
  }
  /** PINs found as values of their own (not digits inside timestamps, ports or ids). */
  leaked(logs: string): string[] {
    return [...this.pins].filter((p) => new RegExp(`(?<![0-9A-Za-z-]|[0-9]\\.)${p}(?![0-9A-Za-z-]|\\.[0-9])`).test(logs));
  }
}
