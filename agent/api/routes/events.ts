import { z } from "zod";
import { invalidInput } from "../errors.js";
import { id, qArray, qInt, timestamp } from "../params.js";
import type { Route } from "../router.js";

export function eventRoutes(): Route[] {
  return [
    {
      kind: "query",
      path: "/events/list",
      params: z.object({
        device_id: id.optional(),
        access_code_id: id.optional(),
        event_type: z.string().max(100).optional(),
        event_types: qArray(z.string().max(100)).optional(),
        since: timestamp.optional(),
        between: qArray(timestamp).optional(),
        limit: qInt(1, 10_000).optional(),
      }),
      handle: (p, store) => {
        if (p.between && p.between.length !== 2) throw invalidInput("between must hold exactly two timestamps", { field: "between" });
        const types = p.event_types ?? (p.event_type ? [p.event_type] : undefined);
        let events = store.events({
          ...(p.device_id ? { deviceId: p.device_id } : {}),
          ...(p.access_code_id ? { accessCodeId: p.access_code_id } : {}),
          ...(types ? { types } : {}),
          ...(p.since ? { since: new Date(p.since).toISOString() } : p.between ? { since: new Date(p.between[0]!).toISOString() } : {}),
          limit: p.limit ?? 500,
        }).map((e) => e.body);
        if (p.between) events = events.filter((e) => String(e.created_at) <= new Date(p.between![1]!).toISOString());
        return { events };
      },
    },
  ];
}
