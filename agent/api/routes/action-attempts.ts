import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Tx } from "../../events/journal.js";
import { ApiError } from "../errors.js";
import { id } from "../params.js";
import type { Route } from "../router.js";

/**
 * Record an action attempt for an accepted change. It succeeds when the hub has durably accepted
 * the change; the lock's progress is the access code's status and events.
 */
export function actionAttempt(tx: Tx, type: string, accessCodeId: string | null): Record<string, unknown> {
  const attempt = { action_attempt_id: randomUUID(), action_type: type, status: "success", result: {}, error: null };
  tx.store.putActionAttempt({ id: attempt.action_attempt_id, type, status: "success", accessCodeId, result: {}, error: null, createdAt: tx.nowIso });
  return attempt;
}

export function actionAttemptRoutes(): Route[] {
  return [
    {
      kind: "query",
      path: "/action_attempts/get",
      params: z.object({ action_attempt_id: id }),
      handle: (p, store) => {
        const a = store.actionAttempt(p.action_attempt_id);
        if (!a) throw new ApiError(404, "action_attempt_not_found", `action_attempt_id "${p.action_attempt_id}" does not match any action attempt on this hub`);
        return { action_attempt: a };
      },
    },
  ];
}
