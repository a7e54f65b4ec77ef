import { createHash } from "node:crypto";

/** lockbridge's UUID namespace: device ids are v5 UUIDs of radio identities in it (protocol.md §4). */
export const LOCKBRIDGE_NAMESPACE = "5b1f3c2e-8d0a-4c6e-9a57-1f0b7c3d2e41";

export function uuidV5(name: string, namespace: string = LOCKBRIDGE_NAMESPACE): string {
  const ns = Buffer.from(namespace.replaceAll("-", ""), "hex");
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
