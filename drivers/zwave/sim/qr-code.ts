// The text of a Z-Wave node provisioning QR code (SmartStart, version 01), as printed on a simulated
// lock's label. Laid out as the Z-Wave QR code specification (SDS13937) describes and checked by
// zwave-js's own parseQRCodeString in the tests: "90", version, checksum, requested keys, the DSK in
// 8 blocks of 5 digits, then TLV blocks (product type and product id are required).
import { createHash } from "node:crypto";
import type { SecurityClass } from "@zwave-js/core";

const LEAD_IN = "90";
const VERSION_SMART_START = 1;
/** TLV types (shifted left by one; the low bit flags a critical block). */
const TLV_PRODUCT_TYPE = 0;
const TLV_PRODUCT_ID = 1;

export interface QrCodeContent {
  /** 16 DSK bytes. */
  readonly dsk: Uint8Array;
  readonly requested: readonly SecurityClass[];
  readonly genericDeviceClass: number;
  readonly specificDeviceClass: number;
  readonly installerIconType: number;
  readonly manufacturerId: number;
  readonly productType: number;
  readonly productId: number;
  /** major.minor */
  readonly applicationVersion: readonly [number, number];
}

const digits = (value: number, width: number): string => String(value).padStart(width, "0");

function tlv(type: number, data: string): string {
  return digits(type << 1, 2) + digits(data.length, 2) + data;
}

export function smartStartQrCode(content: QrCodeContent): string {
  // Requested keys: one bit per class, S2 Unauthenticated = bit 0 ... S0 Legacy = bit 7.
  const keys = content.requested.reduce((mask, c) => mask | (1 << c), 0);
  let dsk = "";
  for (let i = 0; i < 16; i += 2) dsk += digits(((content.dsk[i] ?? 0) << 8) | (content.dsk[i + 1] ?? 0), 5);
  const body =
    digits(keys, 3) +
    dsk +
    tlv(TLV_PRODUCT_TYPE, digits((content.genericDeviceClass << 8) | content.specificDeviceClass, 5) + digits(content.installerIconType, 5)) +
    tlv(
      TLV_PRODUCT_ID,
      digits(content.manufacturerId, 5) +
        digits(content.productType, 5) +
        digits(content.productId, 5) +
        digits((content.applicationVersion[0] << 8) | content.applicationVersion[1], 5),
    );
  // The checksum: the first two bytes of SHA-1 over everything after it.
  const checksum = createHash("sha1").update(body, "ascii").digest().readUInt16BE(0);
  return LEAD_IN + digits(VERSION_SMART_START, 2) + digits(checksum, 5) + body;
}
