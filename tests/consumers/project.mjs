// A fresh temporary project with the packed package installed, as a consumer makes one:
// `npm pack` pkg/ once, then `npm install ./customer-validation-<version>.tgz` (offline:
// the tarball has no dependencies) into each new folder.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rowsModule } from "./rows.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const PKG = join(ROOT, "pkg");
/** The consumers' tools (bundlers, Jest, Next.js): tests/consumers/node_modules. */
export const TOOLS = join(ROOT, "tests/consumers/node_modules");
/** The WASM tests' tools (Vite, TypeScript, playwright-core). */
export const NODE_TOOLS = join(ROOT, "tests/node/node_modules");
/** The package's build tools (esbuild). */
export const BUILD_TOOLS = join(ROOT, "mk/tools/node_modules");
const FIXTURES = join(ROOT, "tests/consumers/fixtures");

export function run(cmd, args, cwd, env = {}) {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}

let tarball = null;
const made = [];

/** The packed tarball (made once per run). */
export function pack() {
  if (!tarball) {
    const dir = mkdtempSync(join(tmpdir(), "cv-pack-"));
    made.push(dir);
    const [{ filename }] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dir], PKG));
    tarball = join(dir, filename);
  }
  return tarball;
}

/** A new project folder with the tarball installed and the fixtures and rows in it. */
export function project(name, rows, packageJson = { type: "module" }) {
  const dir = mkdtempSync(join(tmpdir(), `cv-${name}-`));
  made.push(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `consumer-${name}`, private: true, ...packageJson }));
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", pack()], dir);
  cpSync(FIXTURES, dir, { recursive: true });
  writeFileSync(join(dir, "rows.js"), rowsModule(rows));
  writeFileSync(join(dir, "rows.json"), JSON.stringify(rows.map(({ shape, input, options }) => ({ shape, input, options }))));
  return dir;
}

/** Removes every folder made here. */
export function cleanUp() {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  tarball = null;
}
