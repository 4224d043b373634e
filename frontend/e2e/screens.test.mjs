// The browser tier for the program, tiers and recovery screens: the built app in the stand-in Dashboard,
// against the real club endpoint on the browser seed (its own fresh database and server).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { shot, startBrowser, startServer } from "./harness.mjs";

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer(), startBrowser()]); });
after(async () => { await browser?.close(); server?.stop(); });

// `tall`: a viewport the whole recovery screen fits in, for its screenshots (the app's frame is one screen high).
async function openDashboard({ view = "", locale = "en", tall = false } = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: tall ? 2300 : 900 } });
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/dashboard/?channel=${server.channel}&view=${view}&locale=${locale}`);
  return { page, app: page.frameLocator("#app") };
}

describe("program settings", () => {
  test("a bad value gets the API's typed error next to its field and nothing is saved; a good one is saved", async () => {
    const { page, app } = await openDashboard({ view: "settings" });
    const form = app.getByRole("form", { name: "Program" });
    await form.locator("input[name=pendingDays]").waitFor();
    const before = await form.locator("input[name=pendingDays]").inputValue();
    await form.locator("input[name=pendingDays]").fill("-3");
    await form.locator("input[name=expiryMonths]").fill("18");
    await form.getByRole("button", { name: "Save" }).click();
    const error = form.locator("[data-field-error=pendingDays]");
    await error.waitFor();
    assert.ok((await error.innerText()).length > 0);
    assert.equal(await form.locator("input[name=pendingDays]").getAttribute("aria-invalid"), "true");
    await shot(page, "settings-error-en");
    await page.reload();
    const fresh = page.frameLocator("#app").getByRole("form", { name: "Program" });
    await fresh.locator("input[name=pendingDays]").waitFor();
    assert.equal(await fresh.locator("input[name=pendingDays]").inputValue(), before);
    assert.notEqual(await fresh.locator("input[name=expiryMonths]").inputValue(), "18"); // nothing saved half
    await fresh.locator("input[name=expiryMonths]").fill("18");
    await fresh.getByRole("button", { name: "Save" }).click();
    await fresh.getByRole("status").getByText("Saved").waitFor();
    await page.reload();
    const saved = page.frameLocator("#app").getByRole("form", { name: "Program" });
    await saved.locator("input[name=expiryMonths]").waitFor();
    assert.equal(await saved.locator("input[name=expiryMonths]").inputValue(), "18");
    await page.close();
  });
});

describe("the tiers editor", () => {
  test("staff give Gold an Arabic name with loyaltyTierTranslate; it is there after a reload", async () => {
    const { page, app } = await openDashboard({ view: "tiers" });
    const arabic = app.getByTestId("tier-Gold").locator("..").getByTestId("translation-AR");
    await arabic.locator("input").waitFor();
    assert.equal(await app.locator("input[name=translation-HE]").nth(1).inputValue(), "זהב");
    await arabic.locator("input").fill("ذهبي");
    await arabic.getByRole("button", { name: "Save" }).click();
    await arabic.getByRole("status").waitFor();
    await shot(page, "tiers-en");
    await page.reload();
    const fresh = page.frameLocator("#app").getByTestId("tier-Gold").locator("..").getByTestId("translation-AR");
    await fresh.locator("input").waitFor();
    assert.equal(await fresh.locator("input").inputValue(), "ذهبي");
    await page.close();
  });
});

describe("recovery and messaging", () => {
  test("staff add a reminder step by SMS; it is saved and previewed in Hebrew and English with the §30A check", async () => {
    const { page, app } = await openDashboard({ view: "recovery", tall: true });
    const steps = app.getByTestId("steps");
    await steps.getByTestId("step-2").waitFor();
    await app.getByTestId("preview-2-he").waitFor();
    assert.equal(await app.getByTestId("preview-3-he").count(), 0);
    await steps.getByRole("button", { name: "Add step" }).click();
    await steps.locator("input[name=step-3-afterMinutes]").fill("10080");
    await steps.locator("select[name=step-3-medium]").selectOption("SMS");
    await app.getByRole("form", { name: "Recovery & messages" }).getByRole("button", { name: "Save" }).click();
    await app.getByRole("form", { name: "Recovery & messages" }).getByRole("status").getByText("Saved").waitFor();
    const hebrew = app.getByTestId("preview-3-he");
    await hebrew.waitFor();
    assert.match(await hebrew.innerText(), /sms/);
    assert.equal(await hebrew.locator("[data-gate]").getAttribute("data-gate"), "ok");
    assert.equal(await hebrew.locator("[dir=rtl]").count(), 1);
    assert.match(await app.getByTestId("preview-0-en").innerText(), /Bakery Levi/);
    await app.getByTestId("message-log").locator("tbody tr").nth(9).waitFor();
    await shot(page, "recovery-en");
    await page.reload();
    await page.frameLocator("#app").getByTestId("steps").getByTestId("step-3").waitFor();
    await page.close();
  });

  test("a step that comes before the one above it gets the typed error under the steps, and nothing is saved", async () => {
    const { page, app } = await openDashboard({ view: "recovery" });
    const steps = app.getByTestId("steps");
    await steps.getByTestId("step-1").waitFor();
    const count = await steps.locator(".step").count();
    await steps.locator("input[name=step-1-afterMinutes]").fill("5");
    await app.getByRole("form", { name: "Recovery & messages" }).getByRole("button", { name: "Save" }).click();
    await steps.locator("[data-field-error=steps]").waitFor();
    await page.reload();
    const fresh = page.frameLocator("#app").getByTestId("steps");
    await fresh.getByTestId("step-1").waitFor();
    assert.notEqual(await fresh.locator("input[name=step-1-afterMinutes]").inputValue(), "5");
    assert.equal(await fresh.locator(".step").count(), count);
    await page.close();
  });

  test("staff page through the message log and the abandoned checkouts by cursor", async () => {
    const { page, app } = await openDashboard({ view: "recovery" });
    const log = app.getByTestId("message-log");
    const rows = log.locator("tbody tr");
    await rows.nth(9).waitFor();
    assert.equal(await rows.count(), 10);
    const first = await rows.first().innerText();
    assert.match(first, /no recorded opt-in/);
    await log.getByRole("button", { name: "Next page" }).click();
    await log.getByText("Page 2 · 12").waitFor();
    assert.equal(await rows.count(), 2);
    assert.equal(await log.getByRole("button", { name: "Next page" }).count(), 0);
    await log.getByRole("button", { name: "Previous page" }).click();
    await log.getByText("Page 1 · 12").waitFor();
    assert.equal(await rows.first().innerText(), first);
    const carts = app.getByTestId("abandoned");
    await carts.locator("tbody tr").nth(9).waitFor();
    await carts.getByRole("button", { name: "Next page" }).click();
    await carts.getByText("Page 2 · 12").waitFor();
    assert.equal(await carts.locator("tbody tr").count(), 2);
    await carts.getByText("cart00@example.co.il").waitFor(); // the oldest, last
    await page.close();
  });

  test("in Hebrew the recovery screen and its previews read right to left", async () => {
    const { page, app } = await openDashboard({ view: "recovery", locale: "he", tall: true });
    await app.getByTestId("preview-0-he").waitFor();
    await app.getByTestId("message-log").locator("tbody tr").nth(9).waitFor();
    const frame = page.frames().find((f) => f.url().includes("/app/"));
    assert.equal(await frame.evaluate(() => document.documentElement.dir), "rtl");
    assert.match(await app.getByTestId("preview-0-he").innerText(), /פרסומת/);
    await shot(page, "recovery-he");
    const tiers = await openDashboard({ view: "tiers", locale: "he" });
    await tiers.app.getByTestId("tier-Gold").waitFor();
    await shot(tiers.page, "tiers-he");
    await tiers.page.close();
    await page.close();
  });
});
