// Pairing through the hub process's local API (protocol.md §7), for the end-to-end suites: start, wait for
// a status, provide the PIN, and a ledger of every secret a simulated label printed for the leak scans.
import { HubProcess, type SimLock } from "./hub-process.js";
import { waitFor } from "./ports.js";

export type Pairing = Record<string, any> & { pairing_id: string; status: string; device_ids: string[] };

export interface Label {
  sim_id: string;
  dsk?: string;
  pin?: string;
  qr_code?: string;
  ieee?: string;
  install_code?: string;
}

export class PairingClient {
  /** Every DSK, PIN, QR code and install code printed on a label: none may show in logs, events or frames. */
  readonly secrets = new Set<string>();

  constructor(private readonly hub: HubProcess) {}

  /**
   * The label secrets (an install code without its IEEE address prefix) that appear in `text` as values of
   * their own: a 5-digit PIN is also a run of digits inside any timestamp, so neighbours must not be digits.
   */
  leaks(text: string): string[] {
    return [...this.secrets].map((s) => s.split("|").pop()!).filter((s) => new RegExp(`(?<![0-9A-Za-z-])${s.replace(/[^0-9A-Za-z]/g, "\\$&")}(?![0-9A-Za-z-])`).test(text));
  }

  async call(path: string, body: Record<string, unknown>): Promise<Record<string, any>> {
    const r = await this.hub.post(path, body);
    if (r.status !== 200) throw new Error(`${path} -> ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async newLock(body: Record<string, unknown>): Promise<Label> {
    const label = (await this.call("/hub/simulate/new_lock", body)).lock as Label;
    for (const s of [label.dsk, label.pin, label.qr_code, label.install_code]) if (s) this.secrets.add(s);
    return label;
  }

  async start(body: Record<string, unknown>): Promise<Pairing> {
    return (await this.call("/hub/pairing/start", body)).pairing as Pairing;
  }

  async get(pairingId: string): Promise<Pairing> {
    return (await this.call("/hub/pairing/get", { pairing_id: pairingId })).pairing as Pairing;
  }

  async press(target: { sim_id: string } | { device_id: string }): Promise<string> {
    return (await this.call("/hub/simulate/press_button", target)).outcome as string;
  }

  /** Waits until the pairing reaches one of `statuses` (a final status it did not ask for fails at once). */
  async until(pairingId: string, statuses: string[], ms = 20_000): Promise<Pairing> {
    const final = ["succeeded", "failed", "stopped", "expired"];
    return waitFor(
      async () => {
        const p = await this.get(pairingId);
        if (statuses.includes(p.status)) return p;
        if (final.includes(p.status)) throw new Error(`pairing ended ${p.status}: ${JSON.stringify(p.error ?? {})}`);
        return null;
      },
      `pairing ${statuses.join("/")}`,
      ms,
      25,
    );
  }

  /** Includes a factory-new S2 lock with its PIN; returns the pairing once it succeeded. */
  async includeWithPin(label: Label): Promise<Pairing> {
    const started = await this.start({ protocol: "zwave" });
    await this.press({ sim_id: label.sim_id });
    await this.until(started.pairing_id, ["pin_needed"]);
    await this.call("/hub/pairing/provide_pin", { pairing_id: started.pairing_id, pin: label.pin });
    return this.until(started.pairing_id, ["succeeded"]);
  }
}

/** A hub process with these simulated locks, up and with every lock a device, and a client for it. */
export async function startPairingHub(locks: SimLock[], extra: Partial<ConstructorParameters<typeof HubProcess>[0]> = {}): Promise<{ hub: HubProcess; pair: PairingClient }> {
  const hub = new HubProcess({ locks, ...extra });
  await hub.start();
  await hub.devices();
  return { hub, pair: new PairingClient(hub) };
}
