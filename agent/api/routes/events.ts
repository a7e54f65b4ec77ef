import { z } from "zod";
import type { ApiContext } from "../context.js";
import { ApiError, invalidInput } from "../errors.js";
import { id, qArray, qInt, refused, timestamp } from "../params.js";
import type { Route } from "../router.js";

const iso = (t: string) => new Date(t).toISOString();
const NO_CLOUD = (what: string) => `${what} are a Seam cloud feature; the hub emits no events about them`;

const listParams = z.object({
  device_id: id.optional(),
  device_ids: qArray(id).optional(),
  access_code_id: id.optional(),
  access_code_ids: qArray(id).optional(),
  event_ids: qArray(id).optional(),
  event_type: z.string().max(100).optional(),
  event_types: qArray(z.string().max(100)).optional(),
  connected_account_id: id.optional(),
  since: timestamp.optional(),
  between: qArray(timestamp).optional(),
  limit: qInt(1, 10_000).optional(),
  unstable_offset: refused("page with since or between (events come oldest first, the newest `limit` of them)"),
  customer_key: refused("customers are a Seam cloud feature; the hub has none"),
  user_identity_id: refused(NO_CLOUD("user identities")),
  connect_webview_id: refused(NO_CLOUD("Connect Webviews")),
  space_id: refused(NO_CLOUD("spaces")),
  space_ids: refused(NO_CLOUD("spaces")),
  access_grant_id: refused(NO_CLOUD("access grants")),
  access_grant_ids: refused(NO_CLOUD("access grants")),
  access_method_id: refused(NO_CLOUD("access methods")),
  access_method_ids: refused(NO_CLOUD("access methods")),
  acs_system_id: refused(NO_CLOUD("access control systems")),
  acs_system_ids: refused(NO_CLOUD("access control systems")),
  acs_access_group_id: refused(NO_CLOUD("access control systems")),
  acs_credential_id: refused(NO_CLOUD("access control systems")),
  acs_encoder_id: refused(NO_CLOUD("access control systems")),
  acs_entrance_id: refused(NO_CLOUD("access control systems")),
  acs_user_id: refused(NO_CLOUD("access control systems")),
});

export function eventRoutes(ctx: ApiContext): Route[] {
  return [
    {
      kind: "query",
      path: "/events/list",
      params: listParams,
      handle: (p: z.infer<typeof listParams>, store) => {
        if (!p.since && !p.between) throw invalidInput("give since or between (Seam requires one of them)", { field: "since" });
        if (p.since && p.between) throw invalidInput("give since or between, not both", { field: "between" });
        if (p.between && p.between.length !== 2) throw invalidInput("between must hold exactly two timestamps", { field: "between" });
        // Every event the hub emits carries its one connected account.
        if (p.connected_account_id && p.connected_account_id !== ctx.config.connected_account_id) return { events: [] };
        const types = p.event_types ?? (p.event_type ? [p.event_type] : undefined);
        const [lo, hi] = p.between ? [iso(p.between[0]!), iso(p.between[1]!)].sort() : [undefined, undefined];
        const events = store.events({
          ...(p.device_id ? { deviceId: p.device_id } : {}),
          ...(p.device_ids ? { deviceIds: p.device_ids } : {}),
          ...(p.access_code_id ? { accessCodeId: p.access_code_id } : {}),
          ...(p.access_code_ids ? { accessCodeIds: p.access_code_ids } : {}),
          ...(p.event_ids ? { eventIds: p.event_ids } : {}),
          ...(types ? { types } : {}),
          ...(p.since ? { since: iso(p.since) } : {}),
          ...(lo && hi ? { after: lo, before: hi } : {}),
          limit: p.limit ?? 500,
        });
        return { events: events.map((e) => e.body) };
      },
    },
    {
      kind: "query",
      path: "/events/get",
      params: z.object({ event_id: id.optional(), device_id: id.optional(), event_type: z.string().max(100).optional() }),
      handle: (p, store) => {
        if (!p.event_id && !p.device_id && !p.event_type) throw invalidInput("give event_id, or device_id and/or event_type (the newest such event)", { field: "event_id" });
        const [event] = store.events({
          ...(p.event_id ? { eventIds: [p.event_id] } : {}),
          ...(p.device_id ? { deviceId: p.device_id } : {}),
          ...(p.event_type ? { types: [p.event_type] } : {}),
          limit: 1,
        });
        if (!event) throw new ApiError(404, "event_not_found", p.event_id ? `event_id "${p.event_id}" does not match any event on this hub` : "no event on this hub matches device_id and event_type");
        return { event: event.body };
      },
    },
  ];
}
