// The browser tier: the built app inside a stand-in Dashboard that speaks App Bridge, and the club card on
// a stand-in storefront, against the real club endpoint (engine settings, a fresh database each run).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ARTIFACTS, shot, startBrowser, startServer } from "./harness.mjs";

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer(), startBrowser()]); });
after(async () => { await browser?.close(); server?.stop(); });

async function newPage(viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(10_000);
  return page;
}

async function openDashboard({ view = "", locale = "en", app = "", extra = "" } = {}) {
  const page = await newPage();
  const url = `${server.url}/dashboard/?channel=${server.channel}&view=${view}&locale=${locale}${app ? `&app=${app}` : ""}${extra}`;
  await page.goto(url);
  return { page, app: page.frameLocator("#app") };
}

describe("the club card", () => {
  test("on a storefront, Dana's card shows her balance, worth, Gold and the way to Platinum", async () => {
    const page = await newPage({ width: 700, height: 400 });
    await page.goto(server.storefront.replace("dana@", "member24@"));
    const card = page.locator("saleor-loyalty-card");
    await card.locator("[data-balance]").waitFor();
    assert.equal(await card.locator("[data-balance]").innerText(), "340");
    await page.goto(server.storefront);
    await card.locator("[data-tier]").waitFor();
    assert.equal(await card.locator("[data-balance]").innerText(), "2500");
    assert.match(await card.locator("[data-worth]").innerText(), /125\.00/);
    assert.equal(await card.locator("[data-tier]").innerText(), "Gold");
    // the tier line and its bar (the card shows challenges' bars below them)
    assert.match(await card.locator('[part="tier"] .m').innerText(), /to Platinum/);
    const now = Number(await card.locator('[part="tier"] + [role="progressbar"]').getAttribute("aria-valuenow"));
    assert.ok(now > 0 && now < 100);
    await shot(page, "card-en");
    await page.close();
  });

  test("in Hebrew the card reads right to left, with the tier's Hebrew name", async () => {
    const page = await newPage({ width: 700, height: 400 });
    await page.goto(`${server.storefront}&lang=he`);
    const card = page.locator("saleor-loyalty-card");
    await card.locator("[data-tier]").waitFor();
    assert.equal(await card.locator("section").getAttribute("dir"), "rtl");
    assert.equal(await card.locator("[data-tier]").innerText(), "זהב");
    await shot(page, "card-he");
    await page.close();
  });

  test("a shopper who is not signed in is asked to sign in, and the card never asks for member data", async () => {
    const page = await newPage();
    const calls = [];
    page.on("request", (r) => { if (r.url().includes("/graphql/")) calls.push(r.postDataJSON()?.query ?? ""); });
    await page.goto(`${server.url}/storefront/?channel=il`);
    await page.locator("saleor-loyalty-card").getByText("Sign in to see your club card.").waitFor();
    assert.ok(calls.every((q) => q.startsWith("query Club") && !/\bme\(/.test(q)), String(calls));
    await page.close();
  });
});

describe("the Dashboard app", () => {
  test("given staff open the app, the overview shows the members, the tier mix and the funnel, in two club requests", async () => {
    const page = await newPage();
    const club = [];
    page.on("request", (r) => { if (r.url().includes("/saleor.loyalty/graphql/")) club.push(r.postDataJSON()?.query.match(/query (\w+)/)?.[1]); });
    const started = Date.now();
    await page.goto(`${server.url}/dashboard/?channel=${server.channel}`);
    const app = page.frameLocator("#app");
    await app.getByTestId("stat-members").getByText("25").waitFor();
    const firstMeaningfulPaintMs = Date.now() - started;
    await app.getByTestId("tier-mix").getByText("Gold: 1").waitFor();
    await app.getByText("Regular: 24").waitFor();
    await app.getByTestId("funnel").getByText("Abandoned").waitFor();
    assert.deepEqual(club, ["OverviewTiers", "Overview"]);
    writeFileSync(join(ARTIFACTS, "overview-metrics.json"), JSON.stringify({ firstMeaningfulPaintMs, clubRequests: club }, null, 2));
    await shot(page, "overview-en");
    await page.close();
  });

  test("given staff open the overview, they see points issued, the KPIs and the liability chart by expiry month (before any adjustment)", async () => {
    const page = await newPage();
    const club = [];
    page.on("request", (r) => { if (r.url().includes("/saleor.loyalty/graphql/")) club.push(r.postDataJSON()?.query.match(/query (\w+)/)?.[1]); });
    const timings = [];
    page.on("requestfinished", (r) => { if (r.url().includes("/saleor.loyalty/graphql/")) timings.push(r.timing().responseEnd); });
    await page.goto(`${server.url}/dashboard/?channel=${server.channel}`);
    const app = page.frameLocator("#app");
    // 25 members' orders: Dana ₪2,500 and ₪110-₪340 for the others, one point per shekel.
    await app.getByTestId("kpi-issued").getByText("7900").waitFor();
    await app.getByTestId("kpi-members").getByText("25").waitFor();
    await app.getByTestId("liability-points").getByText("7900").waitFor();
    assert.match(await app.getByTestId("liability-total").innerText(), /395\.00/);
    assert.match(await app.getByTestId("kpi-aov-guests").innerText(), /100\.00/);
    await app.getByTestId("liability-chart").locator(".recharts-bar-rectangle").first().waitFor();
    assert.deepEqual(club, ["OverviewTiers", "Overview"]);
    writeFileSync(join(ARTIFACTS, "overview-kpi-metrics.json"), JSON.stringify({ clubRequests: club, responseEndMs: timings }, null, 2));
    await shot(page, "overview-kpis-en");
    await page.close();
  });

  test("when staff find Dana by email, open her and add 150 points with a reason, the history and the balance show it", async () => {
    const { page, app } = await openDashboard({ view: "members" });
    await app.locator("input[name=search]").fill("dana");
    await app.getByRole("button", { name: "Apply" }).click();
    await app.getByText("Members (1)").waitFor();
    await app.getByRole("button", { name: "Open dana@example.co.il" }).click();
    await app.getByTestId("balance").getByText("2500").waitFor();
    await app.locator("input[name=points]").fill("150");
    await app.locator("input[name=reason]").fill("Cake arrived late");
    await app.getByRole("button", { name: "Adjust points" }).click();
    await app.getByTestId("history").getByText("Cake arrived late").waitFor();
    await app.getByTestId("history").getByText("+150").waitFor();
    await app.getByTestId("balance").getByText("2650").waitFor();
    await shot(page, "member-en");
    await page.close();
  });

  test("when staff adjust points without a reason, the API's error stands next to the reason and no row is written", async () => {
    const { page, app } = await openDashboard({ view: "members" });
    await app.getByRole("button", { name: "Open member20@example.co.il" }).click();
    await app.getByText("History (1)").waitFor();
    await app.locator("input[name=points]").fill("10");
    await app.getByRole("button", { name: "Adjust points" }).click();
    const error = app.locator("[data-field-error=reason]");
    await error.waitFor();
    assert.match(await error.innerText(), /reason/i);
    await app.getByText("History (1)").waitFor();
    await page.close();
  });

  test("when staff put Platinum's entry threshold below Gold's, the typed error stands next to that field and nothing is saved", async () => {
    const { page, app } = await openDashboard({ view: "tiers" });
    const platinum = app.getByTestId("tier-Platinum");
    await platinum.locator("input[name=entryThreshold]").fill("1000");
    await platinum.locator("input[name=discountPercent]").fill("12");
    await platinum.getByRole("button", { name: "Save" }).click();
    const error = platinum.locator("[data-field-error=entryThreshold]");
    await error.waitFor();
    assert.match(await error.innerText(), /entry threshold must be above Gold/);
    await shot(page, "tier-error-en");
    await page.reload();
    const fresh = page.frameLocator("#app").getByTestId("tier-Platinum");
    await fresh.locator("input[name=entryThreshold]").waitFor();
    assert.equal(await fresh.locator("input[name=entryThreshold]").inputValue(), "6000");
    assert.equal(await fresh.locator("input[name=discountPercent]").inputValue(), "10");
    await page.close();
  });

  test("the member list pages by cursor: twenty members, then the last five", async () => {
    const { page, app } = await openDashboard({ view: "members" });
    const rows = app.getByTestId("members-table").locator("tbody tr");
    await app.getByText("Members (25)").waitFor();
    await rows.nth(19).waitFor();
    assert.equal(await rows.count(), 20);
    assert.equal(await rows.filter({ hasText: "dana@example.co.il" }).count(), 0);
    await app.getByRole("button", { name: "Next page" }).click();
    await rows.filter({ hasText: "dana@example.co.il" }).waitFor();
    assert.equal(await rows.count(), 5);
    assert.equal(await app.getByRole("button", { name: "Next page" }).count(), 0);
    await page.close();
  });

  test("when the Dashboard switches to Hebrew, the app speaks Hebrew and lays out right to left", async () => {
    const { page, app } = await openDashboard();
    await app.getByTestId("stat-members").waitFor();
    await page.evaluate(() => window.standin.setLocale("he"));
    await app.getByRole("tab", { name: "סקירה" }).waitFor();
    const frame = page.frames().find((f) => f.url().includes("/app/"));
    assert.equal(await frame.evaluate(() => document.documentElement.dir), "rtl");
    const first = await app.getByRole("tab", { name: "סקירה" }).boundingBox();
    const last = await app.getByRole("tab", { name: "שחזור עגלות והודעות" }).boundingBox();
    assert.ok(first.x > last.x, "the first tab stands to the right of the last");
    await app.getByText("זהב: 1").waitFor();
    await shot(page, "overview-he");
    await app.getByRole("tab", { name: "חברים" }).click();
    await app.getByRole("button", { name: "פתח member24@example.co.il" }).click();
    await app.getByTestId("balance").waitFor();
    await shot(page, "member-he");
    await page.close();
  });

  test("the customer page's widget shows the member's balance, tier progress and last movements", async () => {
    const { page, app } = await openDashboard({ view: "customer-widget", extra: `&customerId=${encodeURIComponent(server.other_member_id)}` });
    await app.getByTestId("customer-widget").waitFor();
    await app.getByTestId("balance").getByText("120").waitFor();
    assert.equal(await app.getByRole("progressbar").getAttribute("aria-valuenow"), "6");
    await app.getByTestId("history").getByText("+120").waitFor();
    await shot(page, "customer-widget-en");
    await page.close();
  });

  test("the customer page's popup adjusts points, then tells the Dashboard and asks it to close the popup", async () => {
    const { page, app } = await openDashboard({ view: "adjust-points", extra: `&customerId=${encodeURIComponent(server.other_member_id)}` });
    await app.locator("input[name=points]").fill("-20");
    await app.locator("input[name=reason]").fill("Goodwill reversed");
    await app.getByRole("button", { name: "Adjust points" }).click();
    await page.waitForFunction(() => window.standin.state.actions.includes("popupClose"));
    const actions = await page.evaluate(() => window.standin.state.actions);
    assert.ok(actions.indexOf("notification") < actions.indexOf("popupClose"), actions.join());
    const widget = await openDashboard({ view: "customer-widget", extra: `&customerId=${encodeURIComponent(server.other_member_id)}` });
    await widget.app.getByTestId("balance").getByText("100").waitFor();
    await widget.page.waitForFunction(() => window.standin.state.actions.includes("widgetResize"));
    await widget.page.close();
    await page.close();
  });

  test("the order page's widget shows the points that order earned, for the order's customer", async () => {
    const orderId = Buffer.from("Order:1001").toString("base64");
    const { page, app } = await openDashboard({ view: "order-widget", extra: `&orderId=${orderId}` });
    await app.getByTestId("order-widget").getByText("+2500").waitFor();
    await app.getByText("The club API has no order view yet").waitFor();
    await page.close();
  });

  test("when staff switch on the product-review action with 60 points, it is saved and still on after a reload", async () => {
    const { page, app } = await openDashboard({ view: "engagement" });
    const row = app.getByTestId("action-product_review");
    await row.locator("input[name=isEnabled]").waitFor();
    assert.equal(await row.locator("input[name=isEnabled]").isChecked(), false);
    await row.locator("input[name=isEnabled]").check();
    await row.locator("input[name=points]").fill("60");
    await row.getByRole("button", { name: "Save" }).click();
    await row.getByTestId("saved").waitFor();
    await app.getByTestId("challenges").getByText("Three orders this month").waitFor();
    await shot(page, "engagement-en");
    await page.reload();
    const fresh = page.frameLocator("#app").getByTestId("action-product_review");
    await fresh.locator("input[name=isEnabled]").waitFor();
    assert.equal(await fresh.locator("input[name=isEnabled]").isChecked(), true);
    assert.equal(await fresh.locator("input[name=points]").inputValue(), "60");
    await page.close();
  });

  test("when staff give an action negative points, the typed error stands next to the points and nothing is saved", async () => {
    const { page, app } = await openDashboard({ view: "engagement" });
    const row = app.getByTestId("action-social_share");
    await row.locator("input[name=isEnabled]").check();
    await row.locator("input[name=points]").fill("-5");
    await row.getByRole("button", { name: "Save" }).click();
    await row.locator("[data-field-error=points]").waitFor();
    await page.reload();
    const fresh = page.frameLocator("#app").getByTestId("action-social_share");
    await fresh.locator("input[name=isEnabled]").waitFor();
    assert.equal(await fresh.locator("input[name=isEnabled]").isChecked(), false);
    assert.equal(await fresh.locator("input[name=points]").inputValue(), "100");
    await page.close();
  });

  test("staff replay the last year at two points per shekel and see the proposal beside the current program", async () => {
    const { page, app } = await openDashboard({ view: "insights", locale: "he" });
    await app.getByTestId("saved-segments").getByText("Big spenders").waitFor();
    const form = app.getByTestId("backtest");
    await form.locator("input[name=earnRate]").fill("2");
    await form.locator("input[name=pointValue]").fill("0.1");
    await form.getByRole("button", { name: "הרצה" }).click();
    const issued = app.getByTestId("backtest-result").locator("tr[data-row=pointsIssued]");
    await issued.getByText("15800").waitFor();
    await issued.getByText("7900").waitFor();
    await shot(page, "insights-he");
    await page.close();
  });

  test("a token the Dashboard minted for another app is refused by the club endpoint", async () => {
    const { page, app } = await openDashboard({ app: "other" });
    await app.getByText("This token was issued for another app.").waitFor();
    await page.close();
  });
});


describe("GraphiQL at the club endpoint", () => {
  test("loads from the package alone under its strict policy and runs a query", async () => {
    const page = await newPage();
    const foreign = [], violations = [];
    page.on("request", (request) => { if (!request.url().startsWith(server.url)) foreign.push(request.url()); });
    page.on("console", (message) => { if (/Content Security Policy/i.test(message.text())) violations.push(message.text()); });
    await page.goto(`${server.url}/plugins/global/saleor.loyalty/graphql/`);
    await page.locator(".graphiql-container").waitFor();
    await page.locator(".graphiql-execute-button").click();
    await page.locator(".graphiql-response").getByText('"Query"').waitFor();
    await shot(page, "graphiql");
    assert.deepEqual(foreign, []);
    assert.deepEqual(violations, []);
    await page.close();
  });
});
