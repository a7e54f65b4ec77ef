// SmartStart provisioning over zwave-js: a lock's QR code (parseQRCodeString) goes on the controller's
// provisioning list, and zwave-js includes the lock with S2 as soon as it announces itself. zwave-js
// keeps the list in its network cache, so it survives restarts.
import { QRCodeVersion, parseQRCodeString, type QRProvisioningInformation } from "@zwave-js/core";
import { ProvisioningEntryStatus, type Driver, type SmartStartProvisioningEntry } from "zwave-js";
import { PairingError, type SmartStartEntry, type SmartStartProvisioning } from "../contract.js";
import { classNames, normaliseDsk } from "./pairing-session.js";

export class ZWaveSmartStart implements SmartStartProvisioning {
  constructor(
    private readonly driver: () => Driver,
    private readonly radioIdOf: (nodeId: number) => string,
  ) {}

  async add(qrCode: string): Promise<SmartStartEntry> {
    const driver = this.driver();
    let info: QRProvisioningInformation;
    try {
      info = await parseQRCodeString(qrCode);
    } catch (e) {
      // zwave-js's reason ("invalid checksum", "too short") never quotes the code.
      const reason = e instanceof Error ? e.message.replace(/^Invalid QR code:\s*/i, "") : "unreadable";
      throw new PairingError("invalid_qr_code", `qr_code is not a valid Z-Wave QR code (${reason})`);
    }
    if (info.version !== QRCodeVersion.SmartStart) {
      throw new PairingError("not_smart_start", "qr_code is an S2 QR code without SmartStart: include the lock with /hub/pairing/start and the DSK printed under the code");
    }
    driver.controller.provisionSmartStartNode({
      ...info,
      status: ProvisioningEntryStatus.Active,
      // Grant what the lock asks for (protocol.md §7).
      securityClasses: [...info.requestedSecurityClasses],
    });
    const entry = driver.controller.getProvisioningEntry(info.dsk);
    if (!entry) throw new Error("zwave-js did not keep the provisioning entry");
    return this.toEntry(entry);
  }

  list(): SmartStartEntry[] {
    return this.driver()
      .controller.getProvisioningEntries()
      .map((e) => this.toEntry(e));
  }

  remove(dsk: string): boolean {
    const controller = this.driver().controller;
    const normalised = normaliseDsk(dsk);
    if (normalised === null || !controller.getProvisioningEntry(normalised)) return false;
    controller.unprovisionSmartStartNode(normalised);
    return true;
  }

  private toEntry(entry: Readonly<SmartStartProvisioningEntry>): SmartStartEntry {
    const nodeId = "nodeId" in entry && typeof entry.nodeId === "number" ? entry.nodeId : undefined;
    return {
      dsk: entry.dsk,
      status: entry.status === ProvisioningEntryStatus.Inactive ? "inactive" : "active",
      securityClasses: classNames(entry.securityClasses),
      ...(nodeId !== undefined ? { radioId: this.radioIdOf(nodeId) } : {}),
    };
  }
}
