// Shared by the Chromium tests and the cold-start benchmark: a static file server on the
// loopback interface, and headless Debian Chromium driven by playwright-core.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".wasm": "application/wasm" };

/** Serves `routes` (URL prefix → directory) on 127.0.0.1; resolves to its base URL and a close().
 * A file with a `.gz` beside it goes out gzip-encoded to clients that take gzip, as
 * `make run` serves the browser build. `extraHeaders` go on every answer (a CSP). */
export async function serve(routes, extraHeaders = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const prefix = Object.keys(routes).sort((a, b) => b.length - a.length).find((p) => path.startsWith(p));
    const file = prefix === undefined ? null : normalize(join(routes[prefix], path.slice(prefix.length)));
    if (file === null || !file.startsWith(normalize(routes[prefix]))) return res.writeHead(404).end();
    const headers = { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store", ...extraHeaders };
    try {
      // As the project's server does: the `.gz` that `make pkg` wrote, to a client that takes gzip.
      if (/\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) {
        const gz = await readFile(`${file}.gz`).catch(() => null);
        if (gz !== null) return res.writeHead(200, { ...headers, "content-encoding": "gzip", vary: "accept-encoding" }).end(gz);
      }
      const body = await readFile(file);
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Opens `url`, waits for the page to set `window.__result`, and returns it. */
export async function pageResult(browser, url, timeout = 120_000) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout });
    return await page.evaluate(() => window.__result);
  } catch (e) {
    throw new Error(`${url}: ${e.message}\npage errors: ${errors.join("\n")}`);
  } finally {
    await page.close();
  }
}
