// The page talks to the hub through the same router as every client (POST <path> with a JSON body).
// It holds no API key: the session cookie (HttpOnly) and its anti-CSRF token stand in for it.

// The hub's own error class (no imports, so the page bundles it): status, Seam error type, message, data.
import { ApiError } from "../../api/errors";

export { ApiError };

let csrfToken: string | null = null;
let onLoggedOut: () => void = () => undefined;

export function whenLoggedOut(fn: () => void): void {
  onLoggedOut = fn;
}

async function send(method: string, path: string, body?: unknown, auth = true): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (auth && csrfToken) headers["x-lockbridge-csrf"] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: "same-origin", cache: "no-store", ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError(0, "network", "The hub cannot be reached. Check the network and that the hub is running.");
  }
  let json: Record<string, unknown> = {};
  try {
    json = (await res.json()) as Record<string, unknown>;
  } catch {
    /* not JSON: reported below by status */
  }
  if (res.ok) return json;
  const err = (json.error ?? {}) as { type?: string; message?: string; data?: Record<string, unknown> };
  const e = new ApiError(res.status, err.type ?? "error", err.message ?? `The hub answered ${res.status}.`, err.data);
  if (auth && res.status === 401) {
    csrfToken = null;
    onLoggedOut();
  }
  throw e;
}

/** Call a router path, e.g. call("/access_codes/create", {device_id, name}). */
export function call<T = Record<string, unknown>>(path: string, body: Record<string, unknown> = {}): Promise<T> {
  return send("POST", path, body) as Promise<T>;
}

/** Exchange the API key for a session. The key goes in the body of one POST, never in a URL. */
export async function login(apiKey: string): Promise<void> {
  const r = await send("POST", "/ui/session", { api_key: apiKey }, false);
  csrfToken = String(r.csrf_token);
}

/** An existing session (a reload): true when the cookie still holds one. */
export async function resume(): Promise<boolean> {
  try {
    const r = await send("GET", "/ui/session", undefined, false);
    csrfToken = String(r.csrf_token);
    return true;
  } catch {
    return false;
  }
}

export async function logout(): Promise<void> {
  try {
    await send("DELETE", "/ui/session", undefined, true);
  } finally {
    csrfToken = null;
  }
}
