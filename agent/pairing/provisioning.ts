// SmartStart provisioning and the simulated locks' labels and buttons (protocol.md §7), over the radios
// the pairing service knows. Full DSKs never leave here except in a simulated lock's label.
import { PairingError, type NewSimulatedLock, type SmartStartEntry } from "../../drivers/contract.js";
import { deviceNotFound, invalidInput, unsupported } from "../api/errors.js";
import type { Store } from "../store/store.js";
import { deviceIdFor } from "../reconcile/registry.js";
import { pairingError } from "./errors.js";
import { maskDsk } from "./pairing-object.js";
import type { PairingService } from "./service.js";

export interface ProvisioningEntryView {
  readonly dsk: string;
  readonly status: "active" | "inactive";
  readonly device_id?: string;
}

function view(entry: SmartStartEntry): ProvisioningEntryView {
  return { dsk: maskDsk(entry.dsk), status: entry.status, ...(entry.radioId ? { device_id: deviceIdFor(entry.radioId) } : {}) };
}

/** The DSK's last seven blocks, from a full DSK or the masked form the hub lists. */
function dskTail(dsk: string): string | null {
  const clean = dsk.replace(/\s/g, "");
  const blocks = clean.includes("-") ? clean.split("-") : (clean.match(/.{5}/g) ?? []);
  if (blocks.length !== 8 || !blocks.slice(1).every((b) => /^\d{5}$/.test(b))) return null;
  return blocks.slice(1).join("-");
}

export class Provisioning {
  constructor(
    private readonly pairing: PairingService,
    private readonly store: Store,
  ) {}

  private smartStart() {
    const smartStart = this.pairing.radio("zwave").radio.smartStart;
    if (!smartStart) throw unsupported("this Z-Wave radio has no SmartStart");
    return smartStart;
  }

  async add(qrCode: string): Promise<ProvisioningEntryView> {
    try {
      return view(await this.smartStart().add(qrCode));
    } catch (e) {
      throw pairingError(e, "qr_code");
    }
  }

  list(): ProvisioningEntryView[] {
    return this.smartStart().list().map(view);
  }

  remove(dsk: string): ProvisioningEntryView {
    const tail = dskTail(dsk);
    if (tail === null) throw invalidInput("dsk must be the lock's DSK (8 blocks of 5 digits) or the masked form /hub/smart_start/list shows", { field: "dsk" });
    const smartStart = this.smartStart();
    const entry = smartStart.list().find((e) => dskTail(e.dsk) === tail);
    if (!entry || !smartStart.remove(entry.dsk)) throw invalidInput("no provisioning entry has this dsk", { field: "dsk" });
    return view(entry);
  }

  async newLock(spec: NewSimulatedLock): Promise<Record<string, string>> {
    const simulator = this.pairing.radio(spec.protocol).radio.simulator;
    if (!simulator) throw unsupported(`the ${spec.protocol} radio is not simulated`);
    try {
      const label = await simulator.newLock(spec);
      // The one answer that carries a DSK, PIN, QR code or install code: what is printed on the lock.
      return {
        sim_id: label.simId,
        ...(label.dsk ? { dsk: label.dsk } : {}),
        ...(label.pin ? { pin: label.pin } : {}),
        ...(label.qrCode ? { qr_code: label.qrCode } : {}),
        ...(label.ieee ? { ieee: label.ieee } : {}),
        ...(label.installCode ? { install_code: label.installCode } : {}),
      };
    } catch (e) {
      throw pairingError(e, "protocol");
    }
  }

  async pressButton(target: { sim_id?: string; device_id?: string }): Promise<string> {
    if (target.device_id !== undefined) {
      const lock = this.store.lock(target.device_id);
      if (!lock) throw deviceNotFound(target.device_id);
      if (!lock.simulated) throw unsupported(`device_id "${target.device_id}" is a real lock; simulation paths work on simulated locks only`);
      const simulator = this.pairing.radio(lock.protocol).radio.simulator;
      if (!simulator) throw unsupported(`the ${lock.protocol} radio is not simulated`);
      return this.press(() => simulator.pressButton({ radioId: lock.radioId }), "device_id");
    }
    if (target.sim_id === undefined) throw invalidInput("give sim_id (from /hub/simulate/new_lock) or device_id", { field: "sim_id" });
    const simId = target.sim_id;
    for (const protocol of ["zwave", "zigbee"] as const) {
      let simulator;
      try {
        simulator = this.pairing.radio(protocol).radio.simulator;
      } catch {
        continue;
      }
      if (!simulator) continue;
      try {
        return await simulator.pressButton({ simId });
      } catch (e) {
        if (e instanceof PairingError && e.code === "unknown_lock") continue;
        throw pairingError(e, "sim_id");
      }
    }
    throw invalidInput("no simulated lock has this sim_id", { field: "sim_id" });
  }

  private async press(act: () => Promise<string>, field: string): Promise<string> {
    try {
      return await act();
    } catch (e) {
      throw pairingError(e, field);
    }
  }
}
