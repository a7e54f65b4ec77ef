import nodeModule from "node:module";

interface CompileCacheApi {
  enableCompileCache?: (dir: string) => { status: number; message?: string; directory?: string };
  flushCompileCache?: () => void;
  constants?: { compileCacheStatus?: { ENABLED: number; ALREADY_ENABLED: number } };
}

/**
 * Keep V8's compiled code of the modules loaded from now on in `dir` (Node >= 22.1), so the next start
 * loads zwave-js from bytecode instead of parsing it again. Node 20 has no such cache: a no-op there.
 * NODE_COMPILE_CACHE, when set in the environment, has already enabled one, and it stays in use.
 */
export function enableCompileCache(dir: string): string | null {
  const api = nodeModule as unknown as CompileCacheApi;
  if (!api.enableCompileCache) return null;
  const r = api.enableCompileCache(dir);
  const ok = api.constants?.compileCacheStatus;
  return ok && (r.status === ok.ENABLED || r.status === ok.ALREADY_ENABLED) ? (r.directory ?? dir) : null;
}

/** Write what was compiled so far (Node >= 22.10; otherwise the cache is written at exit). */
export function flushCompileCache(): void {
  (nodeModule as unknown as CompileCacheApi).flushCompileCache?.();
}
