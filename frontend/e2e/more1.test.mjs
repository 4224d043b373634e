// The browser tier for the rest of the club's staff operations (issue 12): a badge, the referral rules and a
// reconciliation repair, done in the Dashboard app (the built pages, the real club endpoint, a fresh database).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dashboardSession, shot } from "./harness.mjs";

const dashboard = dashboardSession();
const openDashboard = dashboard.open;

describe("the club's remaining staff operations in the Dashboard app", () => {
  test("a badge created with its Hebrew name joins the badges list and the challenges' badge choices, and stays after a reload", async () => {
    const { page, app } = await openDashboard("engagement");
    const form = app.getByTestId("badge-new");
    await form.locator("input[name=name]").fill("Explorer");
    await form.locator("input[name=nameHe]").fill("חוקר");
    await form.getByRole("button", { name: "New badge" }).click();
    await app.getByTestId("badges").getByText("Explorer").waitFor();
    assert.ok((await app.getByTestId("add-challenge").locator("select[name=badgeId] option").allInnerTexts()).some((o) => o.includes("Explorer")));
    await shot(page, "more1-badge-created");
    await page.goto(`${dashboard.server.url}/dashboard/?channel=${dashboard.server.channel}&view=engagement&locale=he`);
    await page.frameLocator("#app").getByTestId("badges").getByText("חוקר").waitFor();
    await page.close();
  });

  test("referral rules with a link lacking {code} are refused under the link and nothing is saved; fixed, they save and stay", async () => {
    const { page, app } = await openDashboard("engagement");
    const form = app.getByTestId("referral-settings");
    await form.locator("input[name=referrerPoints]").fill("321");
    await form.locator("input[name=linkTemplate]").fill("https://shop.example/invite");
    await form.getByRole("button", { name: "Save" }).click();
    await form.locator("[data-field-error=linkTemplate]").waitFor();
    assert.match(await form.locator("[data-field-error=linkTemplate]").innerText(), /\{code\}/);
    await page.reload();
    let again = page.frameLocator("#app").getByTestId("referral-settings");
    await again.locator("input[name=referrerPoints]").waitFor();
    assert.notEqual(await again.locator("input[name=referrerPoints]").inputValue(), "321");
    await again.locator("input[name=referrerPoints]").fill("321");
    await again.locator("input[name=linkTemplate]").fill("https://shop.example/?ref={code}");
    await again.getByRole("button", { name: "Save" }).click();
    await again.getByRole("status").waitFor();
    await page.reload();
    again = page.frameLocator("#app").getByTestId("referral-settings");
    await again.locator("input[name=referrerPoints]").waitFor();
    assert.equal(await again.locator("input[name=referrerPoints]").inputValue(), "321");
    assert.equal(await again.locator("input[name=linkTemplate]").inputValue(), "https://shop.example/?ref={code}");
    await page.close();
  });

  test("the night's drift is listed in the settings, and repaired only after the repair is confirmed", async () => {
    const { page, app } = await openDashboard("settings");
    const card = app.getByTestId("reconciliation");
    const row = card.locator("tr", { hasText: "member23@example.co.il" });
    await row.waitFor();
    assert.match(await row.innerText(), /-5/);
    await row.locator("input[name=reason]").fill("Row restored from a backup");
    await row.getByRole("button", { name: "Repair" }).click();
    await row.getByRole("button", { name: "Cancel" }).click();
    await page.reload();
    let again = page.frameLocator("#app").getByTestId("reconciliation").locator("tr", { hasText: "member23@example.co.il" });
    await again.getByRole("button", { name: "Repair" }).waitFor();
    await again.locator("input[name=reason]").fill("Row restored from a backup");
    await again.getByRole("button", { name: "Repair" }).click();
    await again.getByRole("button", { name: "Confirm repair" }).click();
    await again.getByText(/Repaired · repaired/).waitFor();
    await shot(page, "more1-repaired");
    await page.reload();
    await page.frameLocator("#app").getByText("No open findings.").waitFor();
    await page.close();
  });
});
