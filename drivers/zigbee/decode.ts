// The one place where herdsman's loosely typed payloads (KeyValue = any) become typed values.
// Everything arrives here as `unknown` and leaves narrowed, or as null when the shape is not what the
// Door Lock cluster defines: a lock that answers nonsense must not be read as success.
import { ALL_USERS, pinFromBuffer } from "./door-lock.js";
import { isRecord } from "./json-file.js";

/** A status answer, or the ZCL Default Response a lock may send instead of the specific response. */
export type StatusReply =
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "default_response"; readonly commandId: number; readonly status: number };

export type PinReply =
  | {
      readonly kind: "pin";
      readonly userId: number;
      /** NaN when the lock sent the 0xFF non-value (an empty slot on many locks). */
      readonly userStatus: number;
      readonly userType: number;
      /** "" when the lock withholds the digits. */
      readonly pin: string;
    }
  | { readonly kind: "default_response"; readonly commandId: number; readonly status: number };

export interface ProgrammingEventData {
  readonly source: number;
  readonly code: number;
  /** "all" for the 0xFFFF user id (herdsman decodes that non-value as NaN). */
  readonly userId: number | "all";
  /** Digits when the notification carried them. */
  readonly pin: string | null;
}

export interface OperationEventData {
  readonly source: number;
  readonly code: number;
  readonly userId: number | null;
}

export interface AlarmData {
  readonly alarmCode: number;
  readonly clusterId: number;
}

function num(record: Record<string, unknown>, key: string): number | undefined {
  const value = record[key];
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  return undefined;
}

function defaultResponse(record: Record<string, unknown>): StatusReply | null {
  const commandId = num(record, "cmdId");
  const status = num(record, "statusCode");
  return commandId !== undefined && status !== undefined ? { kind: "default_response", commandId, status } : null;
}

export function decodeStatusReply(reply: unknown): StatusReply | null {
  if (!isRecord(reply)) return null;
  const status = num(reply, "status");
  if (status !== undefined) return { kind: "status", status };
  return defaultResponse(reply);
}

export function decodePinReply(reply: unknown): PinReply | null {
  if (!isRecord(reply)) return null;
  const userId = num(reply, "userid");
  if (userId === undefined) {
    const fallback = defaultResponse(reply);
    return fallback?.kind === "default_response" ? fallback : null;
  }
  const pinValue = reply["pincodevalue"];
  return {
    kind: "pin",
    userId,
    userStatus: num(reply, "userstatus") ?? Number.NaN,
    userType: num(reply, "usertype") ?? Number.NaN,
    pin: Buffer.isBuffer(pinValue) ? pinFromBuffer(pinValue) : "",
  };
}

function userIdOf(record: Record<string, unknown>): number | "all" | undefined {
  const value = num(record, "userid");
  if (value === undefined) return undefined;
  return Number.isNaN(value) || value === ALL_USERS ? "all" : value;
}

export function decodeProgrammingEvent(data: unknown): ProgrammingEventData | null {
  if (!isRecord(data)) return null;
  const source = num(data, "programeventsrc");
  const code = num(data, "programeventcode");
  const userId = userIdOf(data);
  if (source === undefined || code === undefined || userId === undefined) return null;
  return { source, code, userId, pin: pinField(data, "pin") };
}

export function decodeOperationEvent(data: unknown): OperationEventData | null {
  if (!isRecord(data)) return null;
  const source = num(data, "opereventsrc");
  const code = num(data, "opereventcode");
  if (source === undefined || code === undefined) return null;
  const userId = userIdOf(data);
  return { source, code, userId: typeof userId === "number" ? userId : null };
}

export function decodeAlarm(data: unknown): AlarmData | null {
  if (!isRecord(data)) return null;
  const alarmCode = num(data, "alarmcode");
  const clusterId = num(data, "clusterid");
  return alarmCode !== undefined && clusterId !== undefined ? { alarmCode, clusterId } : null;
}

/** A numeric (or boolean) attribute of a read response or report, or field of a command payload; undefined when absent. */
export function numericAttribute(data: unknown, name: string): number | undefined {
  return isRecord(data) ? num(data, name) : undefined;
}

/** An octet-string PIN field as digits; null when absent or empty. */
export function pinField(payload: unknown, name: string): string | null {
  if (!isRecord(payload)) return null;
  const value = payload[name];
  return Buffer.isBuffer(value) && value.length > 0 ? pinFromBuffer(value) : null;
}
