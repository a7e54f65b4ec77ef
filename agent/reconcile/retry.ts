// The quick retries every radio step gets inside its own run: a lock that did not answer (or answered
// without the effect yet) is asked again after 250 ms, then 500 ms; longer backoff happens between plans.
import type { RadioFailure } from "../../drivers/contract.js";

export interface RetryPolicy {
  readonly quickRetries: number;
  readonly quickRetryDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly stopped: () => boolean;
}

/** The wait before the next plan retries a failed step: 2 s, 4 s, ... up to `maxMs`. */
export const backoffMs = (attempts: number, maxMs: number): number => Math.min(maxMs, 1000 * 2 ** Math.min(attempts, 16));

/** Failures worth asking again at once: silence, or an answer that does not show the effect yet. */
export const retryable = (r: { readonly ok: boolean; readonly failure?: RadioFailure }) => !r.ok && (r.failure === "timeout" || r.failure === "mismatch");

export async function withQuickRetries<R extends { readonly ok: boolean; readonly failure?: RadioFailure }>(attempt: () => Promise<R>, policy: RetryPolicy): Promise<R> {
  let result = await attempt();
  for (let n = 1; n <= policy.quickRetries && retryable(result) && !policy.stopped(); n++) {
    await policy.sleep(policy.quickRetryDelayMs * 2 ** (n - 1));
    // Stopped meanwhile (hub stopping, lock removed through pairing): nothing more goes to the lock.
    if (policy.stopped()) break;
    result = await attempt();
  }
  return result;
}
