// The club card's engagement parts on the stand-in storefront, against the real club endpoint: staff (through
// the stand-in Dashboard's app token) add a way to earn and a referral link template, then Dana opens her card.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { shot, startBrowser, startServer } from "./harness.mjs";

let server, browser;
before(async () => {
  [server, browser] = await Promise.all([startServer(), startBrowser()]);
  const html = await (await fetch(`${server.url}/dashboard/?channel=${server.channel}`)).text();
  const token = JSON.parse(html.match(/token: ("[^"]+")/)[1]);
  const staff = async (query, variables) => {
    const res = await fetch(`${server.url}/plugins/global/saleor.loyalty/graphql/`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.json();
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.deepEqual(Object.values(body.data)[0].errors, [], JSON.stringify(body.data));
  };
  await staff(`mutation ($channel: String!) { loyaltyActionCreate(channel: $channel, key: "review",
    input: { nameEn: "Write a review", nameHe: "כתבו ביקורת", points: 50, capPerDay: 1, isEnabled: true }) { errors { field code } } }`,
  { channel: server.channel });
  await staff(`mutation ($channel: String!) { loyaltyReferralSettingsUpdate(channel: $channel,
    input: { enabled: true, referrerPoints: 500, linkTemplate: "https://shop.example/?ref={code}" }) { errors { field code } } }`,
  { channel: server.channel });
});
after(async () => { await browser?.close(); server?.stop(); });

async function newPage() {
  const page = await browser.newPage({ viewport: { width: 480, height: 1200 } });
  page.setDefaultTimeout(10_000);
  return page;
}

describe("the club card's referral and ways to earn", () => {
  test("Dana's card shows her referral link with WhatsApp and email, and the way to earn, from one club request", async () => {
    const page = await newPage();
    const queries = [];
    page.on("request", (r) => { if (r.url().includes("/saleor.loyalty/graphql/")) queries.push(r.postDataJSON()?.query.match(/query (\w+)/)?.[1]); });
    await page.goto(server.storefront);
    const card = page.locator("saleor-loyalty-card");
    const link = card.locator("a[data-link]");
    await link.waitFor();
    const code = await card.locator("[data-code]").innerText();
    assert.match(code, /\S+/);
    assert.equal(await link.innerText(), `https://shop.example/?ref=${code}`);
    const wa = new URL(await card.locator("a[data-whatsapp]").getAttribute("href"));
    assert.equal(wa.host, "wa.me");
    assert.match(wa.searchParams.get("text"), new RegExp(`ref=${code}`));
    assert.match(await card.locator("a[data-email]").getAttribute("href"), /^mailto:\?subject=/);
    assert.equal(await card.locator("[data-friends]").innerText(), "No friends invited yet.");
    assert.match(await card.locator("[data-way=review]").innerText(), /Write a review\s+\+50 points \(up to 1 a day\)/);
    assert.equal(await card.locator("[data-balance]").innerText(), "2500");
    // The page upgrades the card signed out (one public Club request), then setToken() brings club and member in one.
    assert.deepEqual(queries.filter((q) => q !== "Club"), ["Card"]);
    assert.ok(queries.length <= 2, String(queries));
    await shot(page, "card-referral-en");
    await page.close();
  });

  test("in Hebrew the way to earn reads in Hebrew, right to left, and the link stays left to right", async () => {
    const page = await newPage();
    await page.goto(`${server.storefront}&lang=he`);
    const card = page.locator("saleor-loyalty-card");
    await card.locator("a[data-link]").waitFor();
    assert.equal(await card.locator("section").getAttribute("dir"), "rtl");
    assert.equal(await card.locator("a[data-link]").getAttribute("dir"), "ltr");
    assert.match(await card.locator("[data-way=review]").innerText(), /כתבו ביקורת/);
    await shot(page, "card-referral-he");
    await page.close();
  });

  test("signed out, the shopper sees the way to earn and a sign-in prompt; the card never asks for member data", async () => {
    const page = await newPage();
    const bodies = [];
    page.on("request", (r) => { if (r.url().includes("/graphql/")) bodies.push({ query: r.postDataJSON()?.query, auth: r.headers().authorization }); });
    await page.goto(`${server.url}/storefront/?channel=${server.channel}`);
    const card = page.locator("saleor-loyalty-card");
    await card.locator("[data-way=review]").waitFor();
    assert.equal(await card.locator("[data-sign-in]").innerText(), "Sign in to see your club card.");
    assert.equal(bodies.length, 1);
    assert.match(bodies[0].query, /^query Club/);
    assert.doesNotMatch(bodies[0].query, /\bme\(/);
    assert.equal(bodies[0].auth, undefined);
    await shot(page, "card-signed-out");
    await page.close();
  });
});
