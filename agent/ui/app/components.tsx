// Small shared pieces. Everything the hub sends is rendered as text nodes (JSX children), never as markup.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { AccessCode, Issue } from "./types";
import { issueText, statusText, when } from "./words";

/** A PIN, hidden until the user asks to see it (and hidden again on the second press). */
export function Pin({ code, label }: { code: string | null | undefined; label: string }) {
  const [shown, setShown] = useState(false);
  if (code === null || code === undefined || code === "") return <span class="muted">hidden by the lock</span>;
  return (
    <span class="pin">
      <span class="pin-value" aria-live="polite">
        {shown ? code : <span aria-label="PIN hidden">{"•".repeat(Math.min(code.length, 8))}</span>}
      </span>
      <button type="button" class="link" aria-pressed={shown} aria-label={`${shown ? "Hide" : "Show"} PIN of ${label}`} onClick={() => setShown(!shown)}>
        {shown ? "Hide" : "Show"}
      </button>
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${/^[a-z_]+$/.test(status) ? status : "other"}`}>{statusText(status)}</span>;
}

export function Issues({ errors, warnings }: { errors?: readonly Issue[] | undefined; warnings?: readonly Issue[] | undefined }) {
  const all = [...(errors ?? []).map((i) => ({ i, level: "error" })), ...(warnings ?? []).map((i) => ({ i, level: "warning" }))];
  if (!all.length) return null;
  return (
    <ul class="issues">
      {all.map(({ i, level }, n) => (
        <li key={n} class={level}>
          <span class="sr-only">{level === "error" ? "Error: " : "Warning: "}</span>
          {issueText(i)}
        </li>
      ))}
    </ul>
  );
}

/** When a code works: always, a window, or once. */
export function codeWindow(c: AccessCode): string {
  const parts: string[] = [];
  if (c.starts_at || c.ends_at) parts.push(`${c.starts_at ? when(c.starts_at) : "now"} → ${c.ends_at ? when(c.ends_at) : "no end"}`);
  else parts.push("Always");
  if (c.is_one_time_use) parts.push("one-time use");
  return parts.join(", ");
}

export type Ask = (question: string, confirmLabel: string, danger?: boolean) => Promise<boolean>;

/** A modal confirmation (the native dialog element: focus is kept inside, Escape cancels). */
export function useConfirm(): [ComponentChildren, Ask] {
  const ref = useRef<HTMLDialogElement>(null);
  const [q, setQ] = useState<{ question: string; label: string; danger: boolean; resolve: (ok: boolean) => void } | null>(null);
  useEffect(() => {
    if (q && ref.current && !ref.current.open) ref.current.showModal();
  }, [q]);
  const close = (ok: boolean) => {
    ref.current?.close();
    q?.resolve(ok);
    setQ(null);
  };
  const ask: Ask = (question, label, danger = false) => new Promise((resolve) => setQ({ question, label, danger, resolve }));
  const el = (
    <dialog ref={ref} aria-labelledby="confirm-q" onCancel={() => close(false)}>
      {q && (
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            close(true);
          }}
        >
          <p id="confirm-q">{q.question}</p>
          <div class="row">
            <button type="button" onClick={() => close(false)}>
              Cancel
            </button>
            <button type="submit" class={q.danger ? "danger" : "primary"}>
              {q.label}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
  return [el, ask];
}

/** An error or result line under a form, announced to screen readers. */
export function Result({ text, error }: { text: string | null; error?: boolean }) {
  return (
    <p class={error ? "result error" : "result"} role={error ? "alert" : "status"}>
      {text ?? ""}
    </p>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  const hid = `h-${id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section aria-labelledby={hid} class="card">
      <h2 id={hid}>{title}</h2>
      {children}
    </section>
  );
}

export function Facts({ items }: { items: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="facts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
