// Every object and event the hub emits is checked against the official Seam schemas (@seamapi/types 1.885.0).
import { schemas } from "@seamapi/types/connect";
import { expect } from "vitest";

type Kind = "access_code" | "unmanaged_access_code" | "seam_event" | "device" | "action_attempt";

export function seamProblems(kind: Kind, obj: unknown): string | null {
  const r = schemas[kind].safeParse(obj);
  if (r.success) return null;
  return r.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".")}: ${i.message}`)
    .join("; ");
}

export function expectSeam(kind: Kind, obj: unknown): void {
  const problems = seamProblems(kind, obj);
  expect(problems, `${kind} must match @seamapi/types: ${JSON.stringify(obj).slice(0, 400)}`).toBeNull();
}
