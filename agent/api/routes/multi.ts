import { randomUUID } from "node:crypto";
import { z } from "zod";
import { isPoolBackup } from "../../codes/backup.js";
import { codeMisfit, effectiveCodeLengths } from "../../codes/constraints.js";
import { generateCode } from "../../codes/generate.js";
import { codesInUse, createCode, requireCode, requireLock, updateCode } from "../../codes/service.js";
import type { ApiContext, Shaper } from "../context.js";
import { ApiError, invalidInput } from "../errors.js";
import { id, name, pin, qArray, qInt, timestamp } from "../params.js";
import type { CodeRecord } from "../../store/records.js";
import { codeFlags, refuseIfOffline, requireWholeWindow } from "./access-codes.js";
import type { Route } from "../router.js";

const createMultipleParams = z.object({
  device_ids: qArray(id).refine((a) => a.length > 0, "must name at least one lock"),
  name: name.optional(),
  code: pin.optional(),
  starts_at: timestamp.optional(),
  ends_at: timestamp.optional(),
  behavior_when_code_cannot_be_shared: z.enum(["throw", "create_random_code"]).default("throw"),
  preferred_code_length: qInt(1, 16).optional(),
  ...codeFlags,
});

export function multiRoutes(ctx: ApiContext, shape: Shaper): Route[] {
  return [
    {
      kind: "mutation",
      path: "/access_codes/create_multiple",
      params: createMultipleParams,
      handle: (p: z.infer<typeof createMultipleParams>, tx) => {
        requireWholeWindow(p);
        const locks = [...new Set(p.device_ids)].map((d) => requireLock(tx, d));
        for (const l of locks) refuseIfOffline(tx, l.deviceId, p.attempt_for_offline_device);
        const common = {
          name: p.name ?? null,
          ...(p.starts_at ? { starts_at: p.starts_at } : {}),
          ...(p.ends_at ? { ends_at: p.ends_at } : {}),
          is_external_modification_allowed: p.is_external_modification_allowed ?? p.allow_external_modification ?? false,
          is_one_time_use: p.is_one_time_use ?? false,
          prefer_native_scheduling: p.prefer_native_scheduling ?? true,
          use_backup_access_code_pool: p.use_backup_access_code_pool ?? false,
        };
        if (p.code !== undefined) {
          // A caller-chosen code must fit every lock; as in Seam, it carries no common_code_key.
          const records = locks.map((lock) => createCode(tx, { ...common, device_id: lock.deviceId, code: p.code! }, ctx.policy));
          return { access_codes: records.map((r) => shape.code(r)) };
        }
        const lengths = locks.map((l) => effectiveCodeLengths(l)).reduce((a, b) => a.filter((x) => b.includes(x)));
        const charset = [...locks[0]!.capabilities.charset].filter((ch) => locks.every((l) => l.capabilities.charset.includes(ch))).join("");
        const taken = new Set(locks.flatMap((l) => [...codesInUse(tx, l.deviceId)]));
        const shared = lengths.length && charset ? generateCode({ lengths, charset, taken, ...(p.preferred_code_length ? { preferredLength: p.preferred_code_length } : {}) }) : null;
        const key = `auto_set_by_create_multiple_${randomUUID()}`;
        if (!shared && p.behavior_when_code_cannot_be_shared === "throw") {
          throw invalidInput("no code fits every one of these locks (their code lengths or characters do not overlap); set behavior_when_code_cannot_be_shared to create_random_code to give each lock its own", {
            field: "behavior_when_code_cannot_be_shared",
          });
        }
        const records = locks.map((lock) => {
          const fits = shared !== null && codeMisfit(shared, lock) === null;
          return createCode(tx, { ...common, device_id: lock.deviceId, ...(fits ? { code: shared!, common_code_key: key } : { preferred_code_length: p.preferred_code_length }) }, ctx.policy);
        });
        return { access_codes: records.map((r) => shape.code(r)) };
      },
    },
    {
      kind: "mutation",
      path: "/access_codes/update_multiple",
      params: z.object({ common_code_key: z.string().min(1).max(200), name: name.optional(), starts_at: timestamp.optional(), ends_at: timestamp.optional() }),
      handle: (p, tx) => {
        const targets = tx.store.codes().filter((c) => c.commonCodeKey === p.common_code_key && c.desired === "present");
        if (!targets.length) throw invalidInput(`common_code_key "${p.common_code_key.slice(0, 100)}" matches no access code on this hub`, { field: "common_code_key" });
        if (p.starts_at && !p.ends_at && targets.some((c) => !c.endsAt)) throw invalidInput("ends_at is required with starts_at: a time-bound access code has both", { field: "ends_at" });
        for (const c of targets) updateCode(tx, { access_code_id: c.accessCodeId, ...(p.name !== undefined ? { name: p.name } : {}), ...(p.starts_at ? { starts_at: p.starts_at } : {}), ...(p.ends_at ? { ends_at: p.ends_at } : {}) });
        return {};
      },
    },
    {
      kind: "mutation",
      path: "/access_codes/pull_backup_access_code",
      params: z.object({ access_code_id: id }),
      handle: (p, tx) => {
        const original = requireCode(tx, p.access_code_id);
        if (!original.startsAt && !original.endsAt) throw new ApiError(400, "access_code_not_time_bound", "only a time-bound access code can pull a backup code; this one is ongoing");
        // Seam's document requires both keys; the SDK returns `access_code`, and Seam's guide reads the backup's
        // code from it: both carry the pulled backup code (docs/api.md).
        const answer = (backup: CodeRecord) => ({ access_code: shape.code(backup), backup_access_code: shape.code(backup) });
        if (original.pulledBackupAccessCodeId) {
          const already = tx.store.code(original.pulledBackupAccessCodeId);
          if (already) return answer(already);
        }
        const backup = tx.store.codes({ deviceId: original.deviceId }).find((c) => isPoolBackup(c) && c.status === "set" && c.desired === "present");
        if (!backup) throw new ApiError(400, "empty_backup_access_code_pool", "no backup code is ready on this lock; the hub is refilling its pool");
        tx.store.updateCode(backup.accessCodeId, { backupState: "pulled", name: original.name, startsAt: tx.nowIso, endsAt: original.endsAt, updatedAt: tx.nowIso });
        tx.store.updateCode(original.accessCodeId, { pulledBackupAccessCodeId: backup.accessCodeId, updatedAt: tx.nowIso });
        tx.emit("access_code.backup_access_code_pulled", { deviceId: original.deviceId, accessCodeId: original.accessCodeId, backupAccessCodeId: backup.accessCodeId });
        tx.code(backup.accessCodeId, backup.deviceId);
        tx.code(original.accessCodeId, original.deviceId);
        return answer(tx.store.code(backup.accessCodeId)!);
      },
    },
    {
      kind: "mutation",
      path: "/access_codes/report_device_constraints",
      params: z.object({ device_id: id, supported_code_lengths: qArray(qInt(1, 16)).refine((a) => a.length > 0, "must list at least one length").optional(), min_code_length: qInt(1, 16).optional(), max_code_length: qInt(1, 16).optional() }),
      handle: (p, tx) => {
        const lock = requireLock(tx, p.device_id);
        if (!p.supported_code_lengths && p.min_code_length === undefined && p.max_code_length === undefined) throw invalidInput("give supported_code_lengths, or min_code_length and/or max_code_length");
        if (p.supported_code_lengths && (p.min_code_length !== undefined || p.max_code_length !== undefined)) throw invalidInput("give either supported_code_lengths or min/max_code_length, not both");
        const min = p.min_code_length ?? 1;
        const max = p.max_code_length ?? 16;
        if (min > max) throw invalidInput("min_code_length must not exceed max_code_length", { field: "min_code_length" });
        const reported = p.supported_code_lengths ?? Array.from({ length: max - min + 1 }, (_, i) => min + i);
        if (!lock.capabilities.codeLengths.some((l) => reported.includes(l))) {
          throw invalidInput(`none of these lengths is accepted by the lock itself (it takes ${lock.capabilities.codeLengths.join(", ")})`, { field: "supported_code_lengths" });
        }
        tx.store.updateLock(lock.deviceId, { reportedCodeLengths: reported });
        tx.device(lock.deviceId);
        return {};
      },
    },
  ];
}
