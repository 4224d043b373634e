import { readFileSync } from "node:fs";
import { parse, print } from "graphql";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  CARD_QUERY, CLUB_QUERY, renderBadges, renderChallenges, renderClub, renderMembership, renderReferral,
  type CardMember, type Club,
} from "../src/card/card";

const CLUB: Club = {
  currency: "ILS",
  earning: { pointsPerCurrencyUnit: 1 },
  redeeming: { pointValue: { amount: 0.05, currency: "ILS" } },
  tiers: [{ name: "Silver", he: { name: "כסף" } }, { name: "Gold", he: { name: "זהב" } }],
  waysToEarn: [
    { key: "review", nameEn: "Write a review", nameHe: "כתבו ביקורת", points: 50, caps: { perDay: 1, perMonth: null, lifetime: null } },
    { key: "instagram", nameEn: "Follow us", nameHe: "", points: 100, caps: { perDay: null, perMonth: null, lifetime: 1 } },
  ],
  termsEn: "Points expire after 12 months.", termsHe: "הנקודות פגות אחרי 12 חודשים.",
};
const REFERRAL: NonNullable<CardMember["referral"]> = {
  code: "DANA-7K2",
  link: "https://shop.example/r/DANA-7K2?a=1&b=2",
  referrals: {
    totalCount: 3,
    edges: [
      { node: { status: "REWARDED", rewardPoints: 500 } },
      { node: { status: "REWARDED", rewardPoints: 500 } },
      { node: { status: "INVITED", rewardPoints: 0 } },
    ],
  },
};
const DANA: CardMember = {
  points: { available: 2500, pending: 0, debt: 0 },
  pointsValue: { amount: 125, currency: "ILS" },
  tier: { name: "Gold", nameHe: "זהב" }, nextTier: null, progress: null, nextExpiring: null,
  referral: REFERRAL,
  membership: { status: "ACTIVE", endsAt: "2027-03-31T12:00:00+00:00", plan: { name: "Club+" } },
  challenges: [
    { challenge: { id: "Q2g6MQ==", name: "Three orders in March", nameHe: "שלוש הזמנות במרץ" }, current: 2, target: 3, percent: 66.7, completed: false },
    { challenge: { id: "Q2g6Mg==", name: "First review", nameHe: "ביקורת ראשונה" }, current: 1, target: 1, percent: 100, completed: true },
  ],
  badges: [{ badge: { id: "QmE6MQ==", name: "Regular", nameHe: "לקוחה קבועה", imageUrl: "javascript:alert(1)" }, earnedAt: "2026-11-02T10:00:00+00:00" }],
};

const dom = (html: string) => { const d = document.createElement("div"); d.innerHTML = html; return d; };

describe("ways to earn (the public club page)", () => {
  test("says the earning rate, what points are worth, each way to earn with its cap, the ladder and the terms", () => {
    const d = dom(renderClub(CLUB, "en"));
    expect(d.textContent).toContain("1 point for every ₪1.00 spent");
    expect(renderClub({ ...CLUB, earning: { pointsPerCurrencyUnit: 2.5 } }, "en")).toContain("2.5 points for every ₪1.00 spent");
    expect(d.textContent).toContain("100 points are worth ₪5.00");
    expect(d.querySelector("[data-way=review]")!.textContent).toBe("Write a review +50 points (up to 1 a day)");
    expect(d.querySelector("[data-way=instagram]")!.textContent).toContain("(once)");
    expect(d.textContent).toContain("Tiers: Silver · Gold");
    expect(d.querySelector("details summary")!.textContent).toBe("Club terms");
  });

  test("in Hebrew: Hebrew names, the English one where there is no Hebrew, Hebrew terms", () => {
    const d = dom(renderClub(CLUB, "he"));
    expect(d.querySelector("[data-way=review] span")!.textContent).toBe("כתבו ביקורת");
    expect(d.querySelector("[data-way=instagram] span")!.textContent).toBe("Follow us");
    expect(d.textContent).toContain("דרגות: כסף · זהב");
    expect(d.textContent).toContain("1 נקודה על כל");
    expect(d.querySelector("details p")!.textContent).toBe("הנקודות פגות אחרי 12 חודשים.");
  });

  test("a club with no extra actions shows no empty list, and names are escaped", () => {
    const html = renderClub({ ...CLUB, waysToEarn: [], termsEn: null, termsHe: null, tiers: [{ name: "<b>x</b>", he: null }] }, "en");
    expect(html).not.toContain("Ways to earn");
    expect(html).not.toContain("<details>");
    expect(html).toContain("&#60;b&#62;x&#60;/b&#62;");
  });
});

describe("the referral part", () => {
  test("shows the code and link, WhatsApp and email links carrying both, copy, and the friends by state", () => {
    const d = dom(renderReferral(REFERRAL, "en", false));
    expect(d.querySelector("[data-code]")!.textContent).toBe("DANA-7K2");
    expect(d.querySelector("a[data-link]")!.getAttribute("href")).toBe(REFERRAL.link);
    const wa = new URL(d.querySelector("a[data-whatsapp]")!.getAttribute("href")!);
    expect(wa.origin).toBe("https://wa.me");
    expect(wa.searchParams.get("text")).toBe(`Join the club with my code DANA-7K2 ${REFERRAL.link}`);
    const mail = d.querySelector("a[data-email]")!.getAttribute("href")!;
    expect(mail.startsWith("mailto:?subject=Bring%20a%20friend&body=")).toBe(true);
    expect(decodeURIComponent(mail.split("body=")[1])).toContain(REFERRAL.link!);
    expect(d.querySelector("[data-copy]")!.getAttribute("data-copy")).toBe(REFERRAL.link);
    expect(d.querySelector("[data-share]")).toBeNull();
    expect(d.querySelector("[data-friends]")!.textContent).toBe("Friends: 3 · 2 rewarded (+1,000 points) · 1 invited");
  });

  test("with the Web Share API a Share button; without a link the code is what is copied", () => {
    const d = dom(renderReferral({ ...REFERRAL, link: null, referrals: { totalCount: 0, edges: [] } }, "en", true));
    expect(d.querySelector("[data-share]")!.textContent).toBe("Share");
    expect(d.querySelector("a[data-link]")).toBeNull();
    expect(d.querySelector("[data-copy]")!.getAttribute("data-copy")).toBe("DANA-7K2");
    expect(d.querySelector("[data-friends]")!.textContent).toBe("No friends invited yet.");
  });

  test("in Hebrew the words are Hebrew and the code and link stay left to right", () => {
    const d = dom(renderReferral(REFERRAL, "he", false));
    expect(d.querySelector("h3")!.textContent).toBe("חבר מביא חבר");
    expect(d.querySelector("[data-code]")!.getAttribute("dir")).toBe("ltr");
    expect(d.querySelector("a[data-link]")!.getAttribute("dir")).toBe("ltr");
    expect(d.querySelector("a[data-whatsapp]")!.textContent).toBe("וואטסאפ");
    expect(d.querySelector("[data-friends]")!.textContent).toContain("2 זוכו");
  });
});

describe("challenges, badges and membership", () => {
  test("each challenge has a labelled progress bar; a completed one is full and says so", () => {
    const d = dom(renderChallenges(DANA.challenges!, "en"));
    const [open, done] = [...d.querySelectorAll("[role=progressbar]")];
    expect(open.getAttribute("aria-label")).toBe("Three orders in March");
    expect(open.getAttribute("aria-valuenow")).toBe("67");
    expect(d.querySelector("[data-challenge='Q2g6MQ==']")!.textContent).toContain("2 / 3");
    expect(done.getAttribute("aria-valuenow")).toBe("100");
    expect(d.querySelector("[data-challenge='Q2g6Mg==']")!.textContent).toContain("Completed");
    expect(dom(renderChallenges(DANA.challenges!, "he")).textContent).toContain("שלוש הזמנות במרץ");
    expect(renderChallenges([], "en")).toBe("");
  });

  test("earned badges by name, with an image only from an http(s) address", () => {
    const d = dom(renderBadges(DANA.badges!, "he"));
    expect(d.querySelector("[data-badge]")!.textContent).toBe("לקוחה קבועה");
    expect(d.querySelector("img")).toBeNull();
    const ok = dom(renderBadges([{ ...DANA.badges![0], badge: { ...DANA.badges![0].badge, imageUrl: "https://cdn.example/b.png" } }], "en"));
    expect(ok.querySelector("img")!.getAttribute("src")).toBe("https://cdn.example/b.png");
    expect(renderBadges([], "en")).toBe("");
  });

  test("a paid membership shows its plan, status and end date", () => {
    const active = dom(renderMembership(DANA.membership!, "en"));
    expect(active.querySelector("[data-plan]")!.textContent).toBe("Club+");
    expect(active.querySelector("[data-status]")!.textContent).toBe("Active until Mar 31, 2027");
    const ended = dom(renderMembership({ ...DANA.membership!, status: "ENDED" }, "he"));
    expect(ended.querySelector("[data-status]")!.getAttribute("data-status")).toBe("ended");
    expect(ended.textContent).toContain("הסתיים ב-");
  });
});

function stubClub(body: (query: string) => unknown) {
  const fetch = vi.fn(async (_url: string, init: RequestInit) => new Response(JSON.stringify(body(JSON.parse(init.body as string).query))));
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

async function mount(attrs: Record<string, string>) {
  const el = document.createElement("saleor-loyalty-card");
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  return el as HTMLElement & { refresh(): Promise<void> };
}

describe("<saleor-loyalty-card> with the club", () => {
  beforeEach(async () => { await import("../src/card/card"); });
  afterEach(() => { document.body.innerHTML = ""; vi.unstubAllGlobals(); });

  test("signed out: the sign-in prompt and how the club works, from one public request without a token", async () => {
    const fetch = stubClub(() => ({ data: { club: CLUB } }));
    const el = await mount({ channel: "il" });
    await vi.waitFor(() => expect(el.shadowRoot!.querySelector("[data-way=review]")).not.toBeNull());
    expect(el.shadowRoot!.querySelector("[data-sign-in]")!.textContent).toBe("Sign in to see your club card.");
    expect(fetch).toHaveBeenCalledTimes(1);
    const init = fetch.mock.calls[0][1];
    expect(JSON.parse(init.body as string).query).toBe(CLUB_QUERY);
    expect(CLUB_QUERY).not.toMatch(/\bme\(/);
    expect((init.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  test("signed out in Hebrew, right to left", async () => {
    stubClub(() => ({ data: { club: CLUB } }));
    const el = await mount({ channel: "il", lang: "he" });
    await vi.waitFor(() => expect(el.shadowRoot!.querySelector("[data-way=review]")).not.toBeNull());
    expect(el.shadowRoot!.querySelector("section")!.getAttribute("dir")).toBe("rtl");
    expect(el.shadowRoot!.textContent).toContain("התחברו כדי לראות את כרטיס המועדון.");
  });

  test("signed in: one request brings the card, membership, referral, challenges, badges and the ways to earn", async () => {
    const fetch = stubClub(() => ({ data: { club: CLUB, me: DANA } }));
    const el = await mount({ channel: "il", token: "t" });
    await vi.waitFor(() => expect(el.shadowRoot!.querySelector("[data-balance]")).not.toBeNull());
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(JSON.parse(fetch.mock.calls[0][1].body as string).query).toBe(CARD_QUERY);
    const parts = [...el.shadowRoot!.querySelectorAll("[data-part]")].map((p) => p.getAttribute("data-part"));
    expect(parts).toEqual(["membership", "referral", "challenges", "badges", "club"]);
  });

  test("the upgrade and a setToken() right after it share one request; a new token asks again", async () => {
    const fetch = stubClub(() => ({ data: { club: CLUB, me: DANA } }));
    const el = await mount({ channel: "il" }) as HTMLElement & { setToken(t: string | null): void; refresh(): Promise<void> };
    el.setToken("t1");
    el.setToken("t1");
    await el.refresh();
    expect(fetch).toHaveBeenCalledTimes(2); // the signed-out club page, then the card once
    el.setToken("t2");
    await el.refresh();
    expect(fetch).toHaveBeenCalledTimes(3);
    expect((fetch.mock.calls[2][1].headers as Record<string, string>).Authorization).toBe("Bearer t2");
  });

  test("a member without referrals, membership, challenges or badges sees none of those parts", async () => {
    stubClub(() => ({ data: { club: CLUB, me: { ...DANA, referral: null, membership: null, challenges: [], badges: [] } } }));
    const el = await mount({ channel: "il", token: "t" });
    await vi.waitFor(() => expect(el.shadowRoot!.querySelector("[data-balance]")).not.toBeNull());
    expect([...el.shadowRoot!.querySelectorAll("[data-part]")].map((p) => p.getAttribute("data-part"))).toEqual(["club"]);
  });

  test("Copy writes the link to the clipboard and says so; Share opens the system sheet with the code and link", async () => {
    stubClub(() => ({ data: { club: CLUB, me: DANA } }));
    const writeText = vi.fn(async () => undefined);
    const share = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    Object.defineProperty(navigator, "share", { value: share, configurable: true });
    const el = await mount({ channel: "il", token: "t" });
    await vi.waitFor(() => expect(el.shadowRoot!.querySelector("[data-copy]")).not.toBeNull());
    (el.shadowRoot!.querySelector("[data-copy]") as HTMLButtonElement).click();
    await vi.waitFor(() => expect(el.shadowRoot!.querySelector("[role=status]")!.textContent).toBe("Copied"));
    expect(writeText).toHaveBeenCalledWith(REFERRAL.link);
    (el.shadowRoot!.querySelector("[data-share]") as HTMLButtonElement).click();
    await vi.waitFor(() => expect(share).toHaveBeenCalledWith({ title: "Bring a friend", text: "Join the club with my code DANA-7K2", url: REFERRAL.link }));
    delete (navigator as { share?: unknown }).share;
  });

  test("a bad token: a polite alert, and still how the club works", async () => {
    stubClub(() => ({ data: { club: CLUB, me: null }, errors: [{ message: "Invalid token" }] }));
    const el = await mount({ channel: "il", token: "bad" });
    await vi.waitFor(() => expect(el.shadowRoot!.querySelector("[role=alert]")?.textContent).toContain("unavailable"));
    expect(el.shadowRoot!.querySelector("[data-way=review]")).not.toBeNull();
    expect(el.shadowRoot!.querySelector("[data-balance]")).toBeNull();
  });
});

test("docs/storefront.md shows exactly the query the card sends (the engine tier runs that block against the schema)", () => {
  const doc = readFileSync(`${process.cwd()}/../docs/storefront.md`, "utf8");
  const block = doc.match(/```graphql\n(query Card\(.*?)```/s)![1];
  expect(print(parse(block))).toBe(print(parse(CARD_QUERY)));
  expect(print(parse(CLUB_QUERY))).toContain(print(parse(CARD_QUERY)).match(/club\(channel: \$channel\) \{[^]*?\n {2}\}/)![0]);
});
