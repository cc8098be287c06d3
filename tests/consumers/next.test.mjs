// Next.js from the packed tarball: an App Router page whose client component validates as
// the user types, built with `next build`, served with `next start`, used in Chromium.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { launch } from "../node/browser.mjs";
import { checkVerdicts, sampleRows } from "./rows.mjs";
import { ROOT, TOOLS, cleanUp, project, run } from "./project.mjs";

const rows = sampleRows();
const browser = await launch();
let server = null;
after(async () => {
  server?.kill("SIGTERM");
  await browser.close();
  cleanUp();
});

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

async function buildAndUse(bundler) {
  const dir = project(`next-${bundler}`, rows, {});
  cpSync(join(ROOT, "tests/consumers/fixtures-next"), dir, { recursive: true });
  // The framework comes from tests/consumers (installed once), the package from the tarball.
  for (const name of ["next", "react", "react-dom"]) symlinkSync(join(TOOLS, name), join(dir, "node_modules", name), "dir");
  const next = join(TOOLS, "next/dist/bin/next");
  const env = { NEXT_TELEMETRY_DISABLED: "1" };
  run(process.execPath, [next, "build", ...(bundler === "webpack" ? ["--webpack"] : [])], dir, env);

  const port = await freePort();
  server = spawn(process.execPath, [next, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  server.stdout.on("data", (d) => (log += d));
  server.stderr.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    const up = await fetch(url).then((r) => r.ok, () => false);
    if (up) break;
    if (i > 300) assert.fail(`next start did not answer:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    assert.equal(await page.textContent("h1"), "Join the club", "rendered by the server");
    await page.waitForSelector("#email[data-ready='1']", { timeout: 60_000 });
    const result = await page.evaluate(() => window.__result);
    assert.equal(result.engine, "host", "the browser build");
    checkVerdicts(assert, result.verdicts, rows, `Next.js (${bundler})`);
    await page.type("#email", "amelia@@example.com");
    await page.waitForFunction(() => document.querySelector("#email-error").textContent === "invalid_email");
    await page.fill("#email", "");
    await page.type("#email", "amelia@example.com");
    await page.waitForFunction(() => document.querySelector("#email-error").textContent === "");
    assert.equal(await page.getAttribute("#email", "aria-invalid"), "false");
    assert.deepEqual(errors, []);
  } catch (e) {
    throw new Error(`${e.message}\npage errors: ${errors.join("\n")}\nserver: ${log}`);
  } finally {
    await page.close();
    server.kill("SIGTERM");
    server = null;
  }
}

test("Next.js with Turbopack (its default): next build, next start, validation as the user types", async () => {
  await buildAndUse("turbopack");
});

test("Next.js with webpack (next build --webpack)", async () => {
  await buildAndUse("webpack");
});
