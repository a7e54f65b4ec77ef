// `npm run build` (after tsc): bundles the installer page (agent/ui/app) into dist/ui with content-hashed,
// gzip-precompressed assets and an index.html that names them. Runs at build time only: esbuild and
// preact are devDependencies, the hub serves the files it wrote (agent/doors/ui.ts).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const src = path.join(root, "agent", "ui");
const out = path.join(root, "dist", "ui");
const assets = path.join(out, "assets");

const hash = (data: Uint8Array) => createHash("sha256").update(data).digest("hex").slice(0, 12);

function emit(base: string, ext: string, data: Uint8Array): string {
  const name = `${base}-${hash(data)}${ext}`;
  writeFileSync(path.join(assets, name), data);
  writeFileSync(path.join(assets, `${name}.gz`), gzipSync(data, { level: 9 }));
  return name;
}

async function main(): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  const bundle = await build({
    entryPoints: [path.join(src, "app", "main.tsx")],
    bundle: true,
    format: "esm",
    target: ["es2020", "chrome100", "safari15", "firefox100"],
    minify: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "eof",
    write: false,
    logLevel: "warning",
  });
  const css = await build({ entryPoints: [path.join(src, "style.css")], bundle: true, minify: true, write: false, logLevel: "warning", target: ["chrome100", "safari15", "firefox100"] });
  const script = emit("app", ".js", bundle.outputFiles[0]!.contents);
  const style = emit("app", ".css", css.outputFiles[0]!.contents);
  const icon = emit("icon", ".svg", readFileSync(path.join(src, "icon.svg")));
  const html = readFileSync(path.join(src, "index.html"), "utf8").replaceAll("{{script}}", script).replaceAll("{{style}}", style).replaceAll("{{icon}}", icon);
  if (/\{\{/.test(html)) throw new Error("agent/ui/index.html: an unknown {{placeholder}} is left");
  writeFileSync(path.join(out, "index.html"), html);
  writeFileSync(path.join(out, "index.html.gz"), gzipSync(html, { level: 9 }));
  const sizes = [script, style, icon].map((n) => `${n} ${gzipSync(readFileSync(path.join(assets, n)), { level: 9 }).length} B gz`);
  process.stdout.write(`installer page: dist/ui (${sizes.join(", ")})\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`installer page build failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
