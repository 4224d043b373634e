import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { renderCard, type CardMember } from "../src/card/card";

const DANA: CardMember = {
  points: { available: 2500, pending: 40, debt: 0 },
  pointsValue: { amount: 125, currency: "ILS" },
  tier: { name: "Gold", nameHe: "זהב" },
  nextTier: { name: "Platinum", nameHe: "פלטינום" },
  progress: { basis: "SPEND", percent: 41.7, remaining: 3500 },
  nextExpiring: { points: 300, expiresAt: "2027-01-31T21:59:59+00:00" },
};

function mockFetch(body: unknown) {
  const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status: 200 }));
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

async function mount(attrs: Record<string, string>) {
  const el = document.createElement("saleor-loyalty-card");
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  return el as HTMLElement & { setToken(t: string | null): void; refresh(): Promise<void> };
}

describe("the card's markup", () => {
  test("in English it shows the balance, worth, tier and the way to the next tier", () => {
    const html = renderCard(DANA, "en");
    expect(html).toContain('<span data-balance>2500</span> points');
    expect(html).toContain("₪125.00");
    expect(html).toContain("<span data-tier>Gold</span>");
    expect(html).toContain("₪3,500.00 to Platinum");
    expect(html).toContain('aria-valuenow="42"');
    expect(html).toContain("300 points expire on");
  });

  test("in Hebrew it uses the tiers' Hebrew names", () => {
    const html = renderCard(DANA, "he");
    expect(html).toContain("<span data-tier>זהב</span>");
    expect(html).toContain("עד פלטינום");
  });

  test("at the top tier there is no next tier to chase, and the bar is full", () => {
    const html = renderCard({ ...DANA, nextTier: null, progress: null }, "en");
    expect(html).toContain("Top tier");
    expect(html).toContain('aria-valuenow="100"');
  });

  test("names are escaped, never injected", () => {
    expect(renderCard({ ...DANA, tier: { name: "<img src=x>", nameHe: "" } }, "en")).toContain("&#60;img src=x&#62;");
  });
});

describe("<saleor-loyalty-card>", () => {
  beforeEach(async () => { await import("../src/card/card"); });
  afterEach(() => { document.body.innerHTML = ""; vi.unstubAllGlobals(); });

  test("without a token it asks the shopper to sign in, and asks the public club page only, with no token", async () => {
    const fetch = mockFetch({ data: { club: null } });
    const el = await mount({ channel: "il" });
    await el.refresh();
    expect(el.shadowRoot!.textContent).toContain("Sign in to see your club card.");
    for (const [, init] of fetch.mock.calls as unknown as [string, RequestInit][]) {
      expect(JSON.parse(init.body as string).query).not.toContain("me(");
      expect((init.headers as Record<string, string>).Authorization).toBeUndefined();
    }
  });

  test("without a channel it asks nothing at all", async () => {
    const fetch = mockFetch({});
    const el = await mount({});
    await el.refresh();
    expect(el.shadowRoot!.textContent).toContain("Sign in to see your club card.");
    expect(fetch).not.toHaveBeenCalled();
  });

  test("setToken() loads the shopper's own membership with their token", async () => {
    const fetch = mockFetch({ data: { me: DANA } });
    const el = await mount({ channel: "il", endpoint: "https://shop.example/plugins/global/saleor.loyalty/graphql/" });
    el.setToken("shopper-token");
    await vi.waitFor(() => expect(el.shadowRoot!.querySelector("[data-balance]")?.textContent).toBe("2500"));
    const [url, init] = fetch.mock.calls.at(-1) as unknown as [string, RequestInit];
    expect(url).toBe("https://shop.example/plugins/global/saleor.loyalty/graphql/");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer shopper-token");
    expect(JSON.parse(init.body as string).variables).toEqual({ channel: "il" });
  });

  test("lang=he lays the card out right to left", async () => {
    mockFetch({ data: { me: DANA } });
    const el = await mount({ channel: "il", lang: "he", token: "t" });
    await vi.waitFor(() => expect(el.shadowRoot!.querySelector("section")?.getAttribute("dir")).toBe("rtl"));
  });

  test("an API error shows a polite alert instead of numbers", async () => {
    mockFetch({ errors: [{ message: "Invalid token" }] });
    const el = await mount({ channel: "il", token: "bad" });
    await vi.waitFor(() => expect(el.shadowRoot!.querySelector("[role=alert]")?.textContent).toContain("unavailable"));
  });

  test("with a checkout it offers to redeem up to what the checkout allows", async () => {
    vi.stubGlobal("fetch", vi.fn(async (_url: string, init: RequestInit) => {
      const query = JSON.parse(init.body as string).query as string;
      const data = query.includes("checkoutPreview") ? { checkoutPreview: { maxRedeemablePoints: 400 } } : { me: DANA };
      return new Response(JSON.stringify({ data }));
    }));
    const el = await mount({ channel: "il", token: "t", "checkout-id": "Q2hlY2tvdXQ6MQ==" });
    await vi.waitFor(() => expect(el.shadowRoot!.querySelector("input[name=points]")?.getAttribute("max")).toBe("400"));
    expect(el.shadowRoot!.querySelector("label")?.textContent).toContain("Points to use at checkout");
  });
});
