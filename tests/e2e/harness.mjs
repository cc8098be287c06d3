// Shared by the end-to-end tests: where the server is, its demo store's API token, and
// headless Debian Chromium (driven by playwright-core) with a fresh profile per run.
// `make test-e2e` (mk/www.mk) starts the real server on a temp database and sets
// E2E_BASE_URL and E2E_SERVER_LOG (the server's output, where it prints the demo token).

import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

import { ROOT } from "./paths.mjs";

export { ROOT };
export const ARTIFACTS = join(ROOT, "artifacts", "e2e");
export const BASE_URL = (process.env.E2E_BASE_URL ?? "").replace(/\/$/, "");
if (!BASE_URL) throw new Error("E2E_BASE_URL is not set: run these tests with `make test-e2e`");

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser context on a fresh --user-data-dir; close() also deletes the profile. */
export async function openBrowser(contextOptions = {}) {
  const profile = await mkdtemp(join(tmpdir(), "cv-e2e-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 900 },
    ...contextOptions,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A new page that records every request it makes and every error it logs, opened on
 * `path` and, unless `waitReady` is false, waited on until the checks have loaded.
 */
export async function openPage(context, path = "/", { waitReady = true, viewport } = {}) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const requests = [];
  const errors = [];
  page.on("request", (request) => requests.push(request));
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  await page.goto(BASE_URL + path);
  if (waitReady) await page.waitForSelector("html[data-ready='1']", { timeout: 30_000 });
  return { page, requests, errors };
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The demo store's API token, printed by the server when it created the demo store. */
export async function apiToken() {
  if (process.env.E2E_API_TOKEN) return process.env.E2E_API_TOKEN;
  const log = process.env.E2E_SERVER_LOG;
  if (!log) throw new Error("set E2E_API_TOKEN or E2E_SERVER_LOG (the server's output on an empty database)");
  const text = await readFile(log, "utf8");
  const printed = text.match(/^demo token:\s*(\S+)/m);
  if (printed) return printed[1];
  for (const line of text.split("\n")) {
    if (!/token/i.test(line)) continue;
    const candidates = line.match(/[A-Za-z0-9_\-.]{20,}/g) ?? [];
    if (candidates.length) return candidates.at(-1);
  }
  throw new Error(`no API token found in the server output ${log}:\n${text}`);
}

export async function publicConfig() {
  const response = await fetch(`${BASE_URL}/api/v1/public/config`);
  if (!response.ok) throw new Error(`GET /api/v1/public/config: ${response.status}`);
  return response.json();
}

/** A unique address per call, so tests never collide on the per-store email uniqueness. */
let serial = 0;
export function uniqueEmail(tag) {
  return `${tag}.${process.pid}.${Date.now()}.${++serial}@example.com`;
}

// UK numbers from Ofcom's range reserved for drama (020 7946 0000–0999): valid for the
// phone rules, never anyone's. A random start per run, then consecutive, so that tests
// sharing one database do not collide on the per-store phone uniqueness.
let phoneNext = Math.floor(Math.random() * 900);
export function uniqueUkPhone() {
  const n = String(phoneNext++ % 1000).padStart(3, "0");
  return { typed: `020 7946 0${n}`, e164: `+442079460${n}` };
}
