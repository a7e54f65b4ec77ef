import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Tx } from "../../events/journal.js";
import type { ActionAttemptRecord } from "../../store/records.js";
import { ApiError } from "../errors.js";
import { pageOf, pageParams, pageWindow } from "../paginate.js";
import { id, qArray } from "../params.js";
import type { Route } from "../router.js";
import { shapeActionAttempt } from "../shape.js";

/**
 * Record an action attempt in the request's transaction. Access-code attempts succeed at once: success
 * means the hub has durably accepted the change, and the lock's progress is the access code's status and
 * events. Attempts carried out later (lock/unlock) are recorded `pending` and completed with
 * Store.updateActionAttempt.
 */
export function recordActionAttempt(
  tx: Tx,
  a: { type: string; deviceId: string | null; accessCodeId?: string | null; status?: ActionAttemptRecord["status"]; result?: Record<string, unknown> },
): ActionAttemptRecord {
  const rec: ActionAttemptRecord = {
    id: randomUUID(),
    type: a.type,
    status: a.status ?? "success",
    deviceId: a.deviceId,
    accessCodeId: a.accessCodeId ?? null,
    result: a.result ?? {},
    error: null,
    createdAt: tx.nowIso,
    updatedAt: tx.nowIso,
  };
  tx.store.putActionAttempt(rec);
  return rec;
}

/** recordActionAttempt, shaped for a response body. */
export const actionAttempt = (tx: Tx, a: Parameters<typeof recordActionAttempt>[1]) => shapeActionAttempt(recordActionAttempt(tx, a));

const notFound = (id: string) => new ApiError(404, "action_attempt_not_found", `action_attempt_id "${id}" does not match any action attempt on this hub`);

export function actionAttemptRoutes(): Route[] {
  const listParams = z.object({ action_attempt_ids: qArray(id).optional(), device_id: id.optional(), ...pageParams });
  return [
    {
      kind: "query",
      path: "/action_attempts/get",
      params: z.object({ action_attempt_id: id }),
      handle: (p, store) => {
        const a = store.actionAttempt(p.action_attempt_id);
        if (!a) throw notFound(p.action_attempt_id);
        return { action_attempt: shapeActionAttempt(a) };
      },
    },
    {
      kind: "query",
      path: "/action_attempts/list",
      params: listParams,
      handle: (p: z.infer<typeof listParams>, store) => {
        // Paged in SQL: attempts pile up for HISTORY_KEEP_MS, a page reads only its rows and one more.
        const window = pageWindow(p);
        const fetched = store.actionAttempts({
          ...(p.action_attempt_ids ? { ids: p.action_attempt_ids } : {}),
          ...(p.device_id ? { deviceId: p.device_id } : {}),
          offset: window.offset,
          limit: window.limit + 1,
        });
        const { page, pagination } = pageOf(fetched, window);
        return { action_attempts: page.map(shapeActionAttempt), pagination };
      },
    },
  ];
}
