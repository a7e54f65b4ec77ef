// Pairing paths (protocol.md §7): adding, removing and replacing locks, SmartStart provisioning, and the
// simulated locks' labels and buttons. Every pairing path answers { pairing }; the work is in agent/pairing.
import { z } from "zod";
import type { PairingService } from "../../pairing/service.js";
import type { Provisioning } from "../../pairing/provisioning.js";
import { id, qBool, qInt } from "../params.js";
import type { Route } from "../router.js";

const protocol = z.enum(["zwave", "zigbee"]);
const pairingId = z.string().uuid("must be a pairing_id from /hub/pairing/start");
/** Never echoed in an error: describeParamIssues names the field only. */
const dsk = z.string().min(1).max(64, "must be the lock's DSK: 8 blocks of 5 digits");
const secret = (max: number, what: string) => z.string().min(1, `must be ${what}`).max(max, `must be ${what}`);

export function pairingRoutes(pairing: PairingService, provisioning: Provisioning): Route[] {
  return [
    {
      kind: "query",
      path: "/hub/pairing/start",
      params: z.object({
        protocol,
        timeout_s: qInt(1, 100_000).optional(),
        dsk: dsk.optional(),
        install_code: secret(200, "the install code printed on the lock").optional(),
        strategy: z.enum(["default", "s2", "s0", "insecure"]).optional(),
      }),
      handle: async (p) => ({ pairing: await pairing.startInclusion(p) }),
    },
    { kind: "query", path: "/hub/pairing/get", params: z.object({ pairing_id: pairingId }), handle: (p) => ({ pairing: pairing.get(p.pairing_id) }) },
    {
      kind: "query",
      path: "/hub/pairing/provide_pin",
      params: z.object({ pairing_id: pairingId, pin: z.string().regex(/^\d{5}$/, "must be the 5 digits printed on the lock (the first block of its DSK)") }),
      handle: (p) => ({ pairing: pairing.providePin(p) }),
    },
    { kind: "query", path: "/hub/pairing/stop", params: z.object({ pairing_id: pairingId }), handle: async (p) => ({ pairing: await pairing.stopPairing(p) }) },
    {
      kind: "query",
      path: "/hub/unpairing/start",
      params: z.object({ protocol: z.literal("zwave", { errorMap: () => ({ message: 'must be "zwave": a Zigbee lock leaves with /hub/devices/remove' }) }), timeout_s: qInt(1, 100_000).optional() }),
      handle: async (p) => ({ pairing: await pairing.startExclusion(p) }),
    },
    { kind: "query", path: "/hub/devices/remove", params: z.object({ device_id: id }), handle: async (p) => ({ pairing: await pairing.removeDevice(p) }) },
    { kind: "query", path: "/hub/devices/replace", params: z.object({ device_id: id, dsk: dsk.optional() }), handle: async (p) => ({ pairing: await pairing.replaceDevice(p) }) },
    {
      kind: "query",
      path: "/hub/smart_start/add",
      params: z.object({ qr_code: secret(500, "the text of the lock's Z-Wave QR code (starts with 90)") }),
      handle: async (p) => ({ provisioning_entry: await provisioning.add(p.qr_code) }),
    },
    { kind: "query", path: "/hub/smart_start/list", params: z.object({}), handle: () => ({ provisioning_entries: provisioning.list() }) },
    { kind: "query", path: "/hub/smart_start/remove", params: z.object({ dsk }), handle: (p) => ({ provisioning_entry: provisioning.remove(p.dsk) }) },
    {
      kind: "query",
      path: "/hub/simulate/new_lock",
      params: z.object({
        protocol,
        name: z.string().min(1).max(100),
        slots: qInt(1, 1000).optional(),
        code_lengths: z.array(z.number().int().min(1).max(16)).min(1).max(16).optional(),
        profile: z.string().min(1).max(100).optional(),
        security: z.enum(["s2", "s0", "none"]).optional(),
        smart_start: qBool.optional(),
      }),
      handle: async (p) => ({ lock: await provisioning.newLock(p) }),
    },
    {
      kind: "query",
      path: "/hub/simulate/press_button",
      params: z.object({ sim_id: z.string().min(1).max(100).optional(), device_id: id.optional() }),
      handle: async (p) => ({ outcome: await provisioning.pressButton(p) }),
    },
  ];
}
