// The installer page: the login gate, then one view at a time chosen by the URL's #fragment.
import { render } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { login, logout, resume, whenLoggedOut } from "./api";
import { Result } from "./components";
import { HubData, useHubData } from "./data";
import { CodesView } from "./views/codes";
import { EventsView } from "./views/events";
import { HubView } from "./views/hub";
import { LockView } from "./views/lock";
import { LocksView } from "./views/locks";
import { PairingView } from "./views/pairing";

type Route = { view: "hub" | "locks" | "lock" | "codes" | "events" | "pairing"; id?: string };

function parseRoute(hash: string): Route {
  const [, view, id] = hash.replace(/^#/, "").split("/");
  if (view === "locks" && id) return { view: "lock", id: decodeURIComponent(id) };
  if (view === "locks" || view === "codes" || view === "events" || view === "pairing") return { view };
  return { view: "hub" };
}

const NAV: Array<[Route["view"], string, string]> = [
  ["hub", "#/", "Hub"],
  ["locks", "#/locks", "Locks"],
  ["codes", "#/codes", "Codes"],
  ["events", "#/events", "Events"],
  ["pairing", "#/pairing", "Pairing"],
];

function Login({ onIn }: { onIn: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <main id="main" class="login">
      <h1>lockbridge installer</h1>
      <p>Give this hub's API key to see and manage its locks. It is printed when the hub first starts, and kept in its configuration.</p>
      <form
        method="post"
        autocomplete="off"
        onSubmit={async (e) => {
          e.preventDefault();
          const field = input.current!;
          setBusy(true);
          setError(null);
          try {
            await login(field.value.trim());
            field.value = "";
            onIn();
          } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
            field.select();
          } finally {
            setBusy(false);
          }
        }}
      >
        <label for="api_key">API key</label>
        <input id="api_key" name="api_key" type="password" required autocomplete="off" spellcheck={false} ref={input} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Checking…" : "Open"}
        </button>
        <Result text={error} error />
      </form>
    </main>
  );
}

function Shell({ data, onOut }: { data: HubData; onOut: () => void }) {
  useHubData(data);
  const [route, setRoute] = useState(parseRoute(location.hash));
  const heading = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  // Moving to another view puts keyboard and screen-reader focus on its heading.
  useLayoutEffect(() => heading.current?.querySelector<HTMLElement>("h1")?.focus(), [route.view, route.id, data.loaded]);
  const active = route.view === "lock" ? "locks" : route.view;
  const liveText = data.live === "live" ? "Live" : data.live === "connecting" ? "Connecting…" : "Reconnecting…";
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">lockbridge</span>
        <span class={`live ${data.live}`} role="status">
          {liveText}
        </span>
        <button
          type="button"
          class="link"
          onClick={async () => {
            await logout().catch(() => undefined);
            onOut();
          }}
        >
          Log out
        </button>
        <nav aria-label="Views">
          <ul>
            {NAV.map(([view, href, label]) => (
              <li key={view}>
                <a href={href} aria-current={active === view ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" ref={heading}>
        {data.problem && <Result text={data.problem} error />}
        {!data.loaded ? (
          <h1 tabIndex={-1}>Loading…</h1>
        ) : route.view === "hub" ? (
          <HubView data={data} />
        ) : route.view === "locks" ? (
          <LocksView data={data} />
        ) : route.view === "lock" ? (
          <LockView data={data} deviceId={route.id!} />
        ) : route.view === "codes" ? (
          <CodesView data={data} />
        ) : route.view === "events" ? (
          <EventsView data={data} />
        ) : (
          <PairingView data={data} />
        )}
      </main>
    </>
  );
}

function App() {
  const [state, setState] = useState<"checking" | "out" | "in">("checking");
  const [data, setData] = useState<HubData | null>(null);
  useEffect(() => {
    whenLoggedOut(() => setState("out"));
    void resume().then((ok) => setState(ok ? "in" : "out"));
  }, []);
  useEffect(() => {
    if (state !== "in") return;
    const d = new HubData(() => setState("out"));
    setData(d);
    void d.start();
    return () => {
      d.stop();
      setData(null);
    };
  }, [state]);
  if (state === "checking") return <p class="muted pad">Loading…</p>;
  if (state === "out") return <Login onIn={() => setState("in")} />;
  return data ? <Shell data={data} onOut={() => setState("out")} /> : null;
}

render(<App />, document.getElementById("app")!);
