// The browser tier for the Engagement and Insights forms: staff build a custom action and a campaign in the
// Dashboard app (the built pages, the real club endpoint, a fresh database) and find them in the lists.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dashboardSession, shot } from "./harness.mjs";

const dashboard = dashboardSession();
const openDashboard = dashboard.open;

describe("the Dashboard app's forms", () => {
  test("a built-in action's key is refused under the key; with its own key the custom action joins the list and stays after a reload", async () => {
    const { page, app } = await openDashboard("engagement");
    const form = app.getByTestId("action-new");
    await form.locator("input[name=key]").fill("newsletter_signup");
    await form.locator("input[name=nameEn]").fill("Follow us on Instagram");
    await form.locator("input[name=nameHe]").fill("עקבו אחרינו באינסטגרם");
    await form.locator("input[name=points]").fill("30");
    await form.locator("input[name=capLifetime]").fill("1");
    await form.getByRole("button", { name: "Add a custom action" }).click();
    assert.match(await form.locator("[data-field-error=key]").innerText(), /built-in/);
    await form.locator("input[name=key]").fill("instagram_follow");
    await form.getByRole("button", { name: "Add a custom action" }).click();
    await app.getByTestId("action-instagram_follow").getByText("Follow us on Instagram").waitFor();
    await shot(page, "engagement-action-created");
    await page.reload();
    const row = page.frameLocator("#app").getByTestId("action-instagram_follow");
    await row.locator("input[name=points]").waitFor();
    assert.equal(await row.locator("input[name=points]").inputValue(), "30");
    assert.equal(await row.locator("input[name=isEnabled]").isChecked(), true);
    await row.getByRole("button", { name: "Edit" }).click();
    assert.equal(await page.frameLocator("#app").getByTestId("action-form-instagram_follow").locator("input[name=capLifetime]").inputValue(), "1");
    await page.close();
  });

  test("a campaign with an unknown merge field is refused under that subject; fixed, it is created and listed as an email draft", async () => {
    const { page, app } = await openDashboard("insights");
    const form = app.getByTestId("campaign-new");
    await form.locator("input[name=name]").fill("Hanukkah greeting");
    await form.locator("input[name=holdoutPercent]").fill("10");
    await form.locator('input[name="variants.0.he.subject"]').fill("חג שמח {nickname}");
    await form.locator('textarea[name="variants.0.he.body"]').fill("יש לך {points} נקודות");
    await form.getByRole("button", { name: "New campaign" }).click();
    await form.locator('[data-field-error="variants.0.he.subject"]').waitFor();
    assert.match(await form.locator('[data-field-error="variants.0.he.subject"]').innerText(), /nickname/);
    await form.locator('input[name="variants.0.he.subject"]').fill("חג שמח {first_name}");
    await form.getByRole("button", { name: "New campaign" }).click();
    const campaigns = app.getByTestId("campaigns");
    await campaigns.getByText("Hanukkah greeting · Email · draft").waitFor();
    await shot(page, "insights-campaign-created");
    await campaigns.getByRole("button", { name: "Send now" }).click();
    await campaigns.getByText(/Hanukkah greeting · Email · (scheduled|sending|sent)/).waitFor();
    await page.close();
  });

  test("in Hebrew a challenge is created from Hebrew labels, laid out right to left, and listed by its Hebrew name", async () => {
    const { page, app } = await openDashboard("engagement", "he");
    const form = app.getByTestId("challenge-new");
    await form.locator("input[name=name]").fill("Two reviews");
    await form.locator("input[name=nameHe]").fill("שתי ביקורות");
    await form.locator("select[name=metric]").selectOption("ACTIONS");
    await form.locator("select[name=actionKind]").selectOption("product_review");
    await form.locator("input[name=target]").fill("2");
    await form.locator("input[name=rewardPoints]").fill("40");
    const submit = form.getByRole("button", { name: "אתגר חדש" });
    const key = form.locator("input[name=name]");
    assert.ok((await key.boundingBox()).x > (await form.locator("input[name=nameHe]").boundingBox()).x, "the first field stands to the right");
    await submit.click();
    await app.getByTestId("challenges").getByText("שתי ביקורות").waitFor();
    const frame = page.frames().find((f) => f.url().includes("/app/"));
    assert.equal(await frame.evaluate(() => document.documentElement.dir), "rtl");
    await shot(page, "engagement-challenge-he");
    await page.close();
  });
});
