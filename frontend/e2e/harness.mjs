// Starts the stand-alone club server (real club endpoint, real built pages, a fresh database) and Debian's
// Chromium. LOYALTY_PY names the project's Python (scripts/test.sh sets it); CHROMIUM the browser.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, "../..");
export const ARTIFACTS = resolve(here, "../test-results");
mkdirSync(ARTIFACTS, { recursive: true });

export async function startServer() {
  const python = process.env.LOYALTY_PY || resolve(ROOT, ".venv/bin/python");
  const child = spawn(python, ["-m", "saleor_loyalty.dashboard.standalone", "--seed", "browser", "--port", "0"], {
    cwd: ROOT,
    env: { ...process.env, LOYALTY_STANDALONE_DB: `loyalty_browser${process.env.LOYALTY_TEST_DB_SUFFIX ?? ""}` },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((ok, fail) => {
    // A fresh database is migrated and seeded first: on a loaded machine that can take minutes. A server that
    // never answers is stopped, or it would keep the test process alive.
    const timer = setTimeout(() => { child.kill("SIGTERM"); fail(new Error("the stand-alone server did not start in 240 s")); }, 240_000);
    child.once("exit", (code) => fail(new Error(`the stand-alone server exited (${code})`)));
    lines.once("line", (line) => { clearTimeout(timer); ok(JSON.parse(line)); });
  });
  return { ...info, stop: () => child.kill("SIGTERM") };
}

// Playwright gives each launch a fresh temporary profile (its own --user-data-dir).
export async function startBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

export const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

/** One club server and one browser for a test file's suites, and a way to open the stand-in Dashboard on a view. */
export function dashboardSession() {
  const session = {
    server: null,
    browser: null,
    async open(view, locale = "en") {
      const page = await session.browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.setDefaultTimeout(10_000);
      await page.goto(`${session.server.url}/dashboard/?channel=${session.server.channel}&view=${view}&locale=${locale}`);
      return { page, app: page.frameLocator("#app") };
    },
  };
  before(async () => { [session.server, session.browser] = await Promise.all([startServer(), startBrowser()]); });
  after(async () => { await session.browser?.close(); session.server?.stop(); });
  return session;
}
