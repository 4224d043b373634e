// The browser tier for issue 12, part 2: staff edit the win-back flow in Insights (a bad delay is refused under
// that step, a good one is saved and still there after a reload) and open the Overview's cohort table.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dashboardSession, shot } from "./harness.mjs";

const dashboard = dashboardSession();
const openDashboard = dashboard.open;

// The first day of the channel's month `daysAgo` days ago, as the API names a cohort.
function monthOf(daysAgo, timeZone) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" }).formatToParts(new Date(Date.now() - daysAgo * 86400_000));
  return `${parts.find((p) => p.type === "year").value}-${parts.find((p) => p.type === "month").value}-01`;
}

describe("flows and cohorts in the Dashboard app", () => {
  test("the win-back flow refuses a delay out of range under that step; a good one is saved, switched on and still there after a reload", async () => {
    const { page, app } = await openDashboard("insights");
    const row = app.getByTestId("flow-WINBACK_AT_RISK");
    await row.getByRole("button", { name: "Edit" }).click();
    const form = app.getByTestId("flow-form-WINBACK_AT_RISK");
    await form.locator('input[name="steps.0.afterDays"]').fill("400");
    await form.locator('input[name="steps.0.he.subject"]').fill("מתגעגעים אליך, {first_name}");
    await form.locator('textarea[name="steps.0.he.body"]').fill("יש לך {points} נקודות שמחכות לך");
    await form.locator('input[name="holdoutPercent"]').fill("20");
    await form.getByRole("button", { name: "Save" }).click();
    await form.locator('[data-field-error="steps.0.afterDays"]').waitFor();
    assert.match(await form.locator('[data-field-error="steps.0.afterDays"]').innerText(), /0 to 365/);
    await form.locator('input[name="steps.0.afterDays"]').fill("3");
    await form.locator('input[name="enabled"]').check();
    await form.getByRole("button", { name: "Save" }).click();
    await row.getByText("+3d").waitFor();
    assert.equal(await row.getByTestId("flow-state").innerText(), "On");
    await shot(page, "insights-flow-saved");
    await page.reload();
    const again = page.frameLocator("#app").getByTestId("flow-WINBACK_AT_RISK");
    await again.getByText("+3d").waitFor();
    await again.getByRole("button", { name: "Edit" }).click();
    const reopened = page.frameLocator("#app").getByTestId("flow-form-WINBACK_AT_RISK");
    assert.equal(await reopened.locator('input[name="steps.0.afterDays"]').inputValue(), "3");
    assert.equal(await reopened.locator('input[name="holdoutPercent"]').inputValue(), "20");
    assert.equal(await reopened.locator('input[name="enabled"]').isChecked(), true);
    await page.close();
  });

  test("the overview asks for the cohort table only when opened, and it shows the seed's cohorts with shaded cells", async () => {
    const page = await dashboard.browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    const club = [];
    page.on("request", (r) => { if (r.url().includes("/saleor.loyalty/graphql/")) club.push(r.postDataJSON()?.query.match(/query (\w+)/)?.[1]); });
    await page.goto(`${dashboard.server.url}/dashboard/?channel=${dashboard.server.channel}`);
    const app = page.frameLocator("#app");
    await app.getByTestId("kpis").waitFor();
    assert.deepEqual(club, ["OverviewTiers", "Overview"], "the first paint does not ask for cohorts");
    await app.getByRole("button", { name: "Show the cohort table" }).click();
    const table = app.getByTestId("cohort-table");
    await table.waitFor();
    assert.deepEqual(club, ["OverviewTiers", "Overview", "KpiCohorts"]);
    const months = await table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-month")));
    // The seed: 25 members' first orders 40 days ago, two guests' 20 and 10 days ago.
    const expected = [...new Set([40, 20, 10].map((d) => monthOf(d, "Asia/Jerusalem")))].sort();
    assert.deepEqual(months, expected);
    const first = table.locator(`tr[data-month="${expected[0]}"] td[data-offset="0"]`);
    assert.equal(await first.innerText(), "100.0%");
    assert.notEqual(await first.evaluate((td) => td.style.background), "");
    await shot(page, "overview-cohorts");
    await page.close();
  });
});
