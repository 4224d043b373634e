import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { buildSchema, parse, validate } from "graphql";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, describe, expect, test, vi } from "vitest";
import { ApiError, type Fetcher } from "../src/app/api";
import { dictionaries, translator, yearWindow, type Lang } from "../src/app/i18n";
import * as mainQueries from "../src/app/queries";
import * as staffQueries from "../src/app/staffQueries";
import Engagement, { ActionRow, ReferralRow, type Action, type Referral } from "../src/app/screens/Engagement";
import { BacktestForm, CampaignResults, latestSizes, type Campaign } from "../src/app/screens/Insights";
import Overview from "../src/app/screens/Overview";
import { SessionContext, type Session } from "../src/app/session";

const queries = { ...mainQueries, ...staffQueries };

afterEach(cleanup);

function session(club: Fetcher, lang: Lang = "en"): Session {
  return {
    token: "token", lang, theme: "light", params: new URLSearchParams(), club, saleor: null,
    channels: [], channel: "il", setChannel: () => undefined, t: translator(lang),
    notify: () => undefined, closePopup: () => undefined, resize: () => undefined,
  };
}
const withSession = (s: Session, ui: React.ReactNode) => render(<SessionContext.Provider value={s}>{ui}</SessionContext.Provider>);
const calls = (club: Fetcher) => (club as unknown as ReturnType<typeof vi.fn>).mock.calls;
const ils = (amount: number) => ({ amount, currency: "ILS" });

describe("every club document the app sends is valid against the committed SDL", () => {
  const schema = buildSchema(readFileSync(resolve(__dirname, "../../saleor_loyalty/graphql/schema.graphql"), "utf8"));
  // Fragments of field lists (…_FIELDS) are checked inside the documents that use them.
  const docs = Object.entries(queries).filter(([name]) => !name.startsWith("SALEOR_") && !name.endsWith("_FIELDS"));
  test.each(docs)("%s", (_, doc) => {
    const text = typeof doc === "function" ? (doc as (ids: string[]) => string)(["VDox", "VDoy"]) : doc;
    expect(validate(schema, parse(text)).map((e) => e.message)).toEqual([]);
  });
});

describe("the overview's KPIs", () => {
  const KPIS = {
    currency: "ILS", membersCount: 25, membersNew: 3, membersActive: 20, orders: 27, repeatPurchaseRate: 0.25,
    memberAov: ils(316), guestAov: ils(100), points: { issued: 7900, reversed: 0, redeemed: 1200, expired: 300, redemptionRate: 0.152 },
  };
  const LIABILITY = { outstandingPoints: 6400, total: ils(320), pointsValue: ils(320),
    buckets: [{ month: "2027-01-01", points: 2400, value: ils(120) }, { month: "2027-10-01", points: 4000, value: ils(200) }] };

  test("points issued/redeemed/expired, members, AOV and the liability by expiry month, in two requests", async () => {
    const club = vi.fn(async (doc: string) => doc.includes("OverviewTiers")
      ? { program: { currency: "ILS", tiers: [{ id: "T1", name: "Regular", nameHe: "רגיל" }] } }
      : { all: { totalCount: 25 }, t0: { totalCount: 25 }, recoveryStats: null, kpis: KPIS, liability: LIABILITY }) as unknown as Fetcher;
    withSession(session(club), <Overview />);
    await screen.findByTestId("kpis");
    expect(screen.getByTestId("kpi-issued").textContent).toContain("7900");
    expect(screen.getByTestId("kpi-redeemed").textContent).toContain("1200");
    expect(screen.getByTestId("kpi-expired").textContent).toContain("300");
    expect(screen.getByTestId("kpi-redemption-rate").textContent).toContain("15.2%");
    expect(screen.getByTestId("kpi-repeat").textContent).toContain("25.0%");
    expect(screen.getByTestId("kpi-aov-members").textContent).toContain("316.00");
    expect(screen.getByTestId("kpi-aov-guests").textContent).toContain("100.00");
    expect(screen.getByTestId("liability-total").textContent).toContain("320.00");
    const rows = screen.getByTestId("liability-table").querySelectorAll("tr");
    expect(rows.length).toBe(2);
    expect(rows[1].textContent).toContain("4000");
    expect(calls(club).length).toBe(2);
    const [, vars] = calls(club)[1];
    expect(vars).toMatchObject(yearWindow());
  });

  test("staff without MANAGE_USERS still get the rest of the overview (the KPIs come back null)", async () => {
    const club = vi.fn(async (doc: string) => doc.includes("OverviewTiers")
      ? { program: { currency: "ILS", tiers: [] } }
      : { all: { totalCount: 4 }, recoveryStats: null, kpis: null, liability: null }) as unknown as Fetcher;
    withSession(session(club), <Overview />);
    await screen.findByTestId("stat-members");
    expect(screen.queryByTestId("kpis")).toBeNull();
    expect(screen.queryByTestId("liability")).toBeNull();
  });

  test("the KPI period is twelve local months ending today", () => {
    expect(yearWindow(new Date(2026, 10, 30, 12))).toEqual({ kpiSince: "2025-12-01", kpiUntil: "2026-11-30" });
    expect(yearWindow(new Date(2026, 0, 5, 12))).toEqual({ kpiSince: "2025-02-01", kpiUntil: "2026-01-05" });
  });
});

const REVIEW: Action = { id: "A1", key: "product_review", nameEn: "Review a product", nameHe: "ביקורת על מוצר", points: 50,
  isBuiltin: true, isEnabled: false, pendingDays: 14, caps: { perDay: 3, perMonth: 20, lifetime: null, oncePerObject: true } };

describe("the actions catalogue", () => {
  test("switching an action on sends the switch and the points in one mutation and shows it saved", async () => {
    const club = vi.fn(async () => ({ loyaltyActionUpdate: { errors: [], action: { ...REVIEW, isEnabled: true, points: 60 } } })) as unknown as Fetcher;
    const { container } = withSession(session(club), <table><tbody><ActionRow action={REVIEW} /></tbody></table>);
    fireEvent.click(container.querySelector("input[name=isEnabled]")!);
    fireEvent.change(container.querySelector("input[name=points]")!, { target: { value: "60" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByRole("status");
    expect(calls(club)).toHaveLength(1);
    expect(calls(club)[0][1]).toEqual({ channel: "il", key: "product_review", input: { isEnabled: true, points: 60 } });
    expect((container.querySelector("input[name=isEnabled]") as HTMLInputElement).checked).toBe(true);
  });

  test("a bad points value shows the API's error under the points and nothing reads as saved", async () => {
    const club = vi.fn(async () => ({ loyaltyActionUpdate: { errors: [{ field: "points", message: "Points are 0 to 100000.", code: "INVALID" }], action: null } })) as unknown as Fetcher;
    const { container } = withSession(session(club), <table><tbody><ActionRow action={REVIEW} /></tbody></table>);
    fireEvent.click(container.querySelector("input[name=isEnabled]")!);
    fireEvent.change(container.querySelector("input[name=points]")!, { target: { value: "-5" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(container.querySelector("[data-field-error=points]")?.textContent).toBe("Points are 0 to 100000."));
    expect(screen.queryByRole("status")).toBeNull();
  });

  test("the screen lists actions, challenge summaries and plans, and its challenge summaries take one more request", async () => {
    const club = vi.fn(async (doc: string) => doc.includes("ChallengeSummaries")
      ? { s0: { completed: 4, pointsAwarded: 400, badgesAwarded: 4, lastCompletedAt: null } }
      : {
        actions: [REVIEW], membershipPlans: [{ id: "P1", name: "Club+", term: "YEARLY", isActive: true, monthlyGiftPoints: 50, monthlyGiftCredit: ils(10), reminderDays: 7, tier: { id: "T2", name: "Gold", nameHe: "זהב" } }],
        challenges: [{ id: "C1", name: "Three orders", nameHe: "שלוש הזמנות", metric: "PAID_ORDERS", target: 3, targetAmount: null, rewardPoints: 100, isActive: true, startsOn: "2026-11-01", endsOn: null, badge: { id: "B1", name: "Regular", nameHe: "קבוע" } }],
        referrals: { totalCount: 0, edges: [] },
      }) as unknown as Fetcher;
    withSession(session(club, "he"), <Engagement />);
    const row = await screen.findByTestId("challenge-C1");
    await waitFor(() => expect(row.textContent).toContain("400"));
    expect(row.textContent).toContain("שלוש הזמנות");
    expect(row.textContent).toContain("קבוע");
    expect(screen.getByTestId("action-product_review").textContent).toContain("ביקורת על מוצר");
    expect(screen.getByTestId("plans").textContent).toContain("זהב");
    expect(calls(club)).toHaveLength(2);
    expect(calls(club)[1][0]).toContain('s0: challengeSummary(channel: $channel, id: "C1")');
  });
});

const HELD: Referral = { id: "R1", status: "HELD", reasonCode: "review", reason: "Held for review", rewardPoints: 200, created: "2026-11-20T10:00:00+02:00",
  referrerEmail: "dana@example.co.il", friendEmail: "n***@example.co.il", orderNumber: "3001", orderTotal: ils(80), signals: ["same_address"], reviewedBy: null };

describe("referral review", () => {
  test("rejecting without a reason shows the API's error under the reason and keeps the referral held", async () => {
    const onSaved = vi.fn();
    const club = vi.fn(async () => ({ loyaltyReferralReview: { errors: [{ field: "reason", message: "Say why.", code: "REQUIRED" }], referral: null } })) as unknown as Fetcher;
    const { container } = withSession(session(club), <table><tbody><ReferralRow referral={HELD} onSaved={onSaved} /></tbody></table>);
    fireEvent.click(screen.getByRole("button", { name: "Reject" }));
    await waitFor(() => expect(container.querySelector("[data-field-error=reason]")?.textContent).toBe("Say why."));
    expect(calls(club)[0][1]).toEqual({ channel: "il", id: "R1", approve: false, reason: null });
    expect(onSaved).not.toHaveBeenCalled();
  });

  test("approving hands the reviewed referral back to the list", async () => {
    const onSaved = vi.fn();
    const approved = { ...HELD, status: "ORDERED", reviewedBy: "staff@example.com" };
    const club = vi.fn(async () => ({ loyaltyReferralReview: { errors: [], referral: approved } })) as unknown as Fetcher;
    withSession(session(club), <table><tbody><ReferralRow referral={HELD} onSaved={onSaved} /></tbody></table>);
    fireEvent.click(screen.getByRole("button", { name: "Approve" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(approved));
    expect(calls(club)[0][1]).toMatchObject({ approve: true });
  });
});

describe("insights", () => {
  const group = (key: string, converted: number, rate: number) => ({ key, recipients: 100, sent: 98, opened: 50, clicked: 20, complaints: 1, bounces: 2, converted, ordered: converted,
    revenue: ils(converted * 90), conversionRate: { rate }, orderedRate: { rate } });
  const CAMPAIGN: Campaign = { id: "K1", name: "Hanukkah", status: "SENT", startedAt: "2026-11-01T10:00:00+02:00", finishedAt: null, holdoutPercent: 10,
    results: { metric: "CONVERSION", winner: "B", winnerP: 0.01, lift: 0.5, holdout: group("holdout", 1, 0.01), variants: [group("A", 5, 0.05), group("B", 12, 0.12)] } };

  test("a campaign lists each variant's results and flags only the winner", () => {
    const { container } = withSession(session(vi.fn() as unknown as Fetcher), <CampaignResults campaign={CAMPAIGN} />);
    const winners = container.querySelectorAll("tr[data-winner]");
    expect(winners).toHaveLength(1);
    expect(winners[0].textContent).toContain("B");
    expect(winners[0].textContent).toContain("12.0%");
    expect(container.textContent).toContain("Holdout");
  });

  test("each variant shows its complaints and bounces beside what was sent; an SMS campaign says so", () => {
    const { container } = withSession(session(vi.fn() as unknown as Fetcher), <CampaignResults campaign={{ ...CAMPAIGN, medium: "SMS" }} />);
    const cells = (id: string) => Array.from(container.querySelectorAll(`[data-testid="${id}"]`)).map((c) => c.textContent);
    expect(cells("complaints")).toEqual(["1", "1", "1"]);
    expect(cells("bounces")).toEqual(["2", "2", "2"]);
    expect(container.querySelector("h3")!.textContent).toContain("SMS");
  });

  test("a campaign with no winner yet flags none", () => {
    const { container } = withSession(session(vi.fn() as unknown as Fetcher), <CampaignResults campaign={{ ...CAMPAIGN, results: { ...CAMPAIGN.results, winner: null } }} />);
    expect(container.querySelectorAll("tr[data-winner]")).toHaveLength(0);
  });

  test("segment sizes show the latest night of each segment", () => {
    const rows = [
      { day: "2026-11-28", segment: "NEW", size: 3 }, { day: "2026-11-29", segment: "NEW", size: 5 },
      { day: "2026-11-29", segment: "LOYAL", size: 2 },
    ];
    const sizes = latestSizes(rows);
    expect(sizes.find((s) => s.segment === "NEW")).toEqual({ segment: "NEW", size: 5, day: "2026-11-29" });
    expect(sizes.find((s) => s.segment === "LOYAL")?.size).toBe(2);
    expect(sizes.find((s) => s.segment === "LAPSED")?.size).toBeNull();
    expect(latestSizes([]).every((s) => s.size === null)).toBe(true);
  });

  const SCENARIO = (issued: number, cost: number) => ({ orders: 25, pointsIssued: issued, pointsReversed: 0, netPoints: issued, pointsValue: ils(cost),
    cashback: ils(0), liabilityChange: ils(cost), expectedCost: ils(cost) });

  test("the backtest puts the proposal beside the current program", async () => {
    const club = vi.fn(async () => ({ ruleBacktest: { currency: "ILS", since: "", until: "", breakageRate: null, recordedPoints: 7900,
      current: SCENARIO(7900, 395), proposed: SCENARIO(15800, 1580) } })) as unknown as Fetcher;
    const { container } = withSession(session(club), <BacktestForm />);
    fireEvent.change(container.querySelector("input[name=earnRate]")!, { target: { value: "2" } });
    fireEvent.change(container.querySelector("input[name=pointValue]")!, { target: { value: "0.1" } });
    fireEvent.click(screen.getByRole("button", { name: "Run" }));
    const table = await screen.findByTestId("backtest-result");
    const issued = table.querySelector("tr[data-row=pointsIssued]")!.textContent!;
    expect(issued).toContain("7900");
    expect(issued).toContain("15800");
    expect(table.querySelector("tr[data-row=cost]")!.textContent).toContain("1,580.00");
    expect(table.querySelector("tr[data-row=liabilityChange]")).not.toBeNull();
    expect(calls(club)[0][1]).toEqual({ channel: "il", months: 12, input: { earnRate: "2", pointValue: "0.1" } });
  });

  test("a bad earn rate comes back as a typed error under that field, with no result shown", async () => {
    const club = vi.fn(async () => { throw new ApiError("The earn rate is 0 to 1000 points per unit.", "INVALID", "earnRate"); }) as unknown as Fetcher;
    const { container } = withSession(session(club), <BacktestForm />);
    fireEvent.change(container.querySelector("input[name=earnRate]")!, { target: { value: "-1" } });
    fireEvent.click(screen.getByRole("button", { name: "Run" }));
    await waitFor(() => expect(container.querySelector("[data-field-error=earnRate]")?.textContent).toContain("earn rate"));
    expect(screen.queryByTestId("backtest-result")).toBeNull();
  });
});

test("every segment has a label in both languages", () => {
  for (const lang of ["en", "he"] as const) for (const s of ["NEW", "ONE_TIME", "REPEAT", "LOYAL", "AT_RISK", "LAPSED"]) {
    expect(dictionaries[lang][`seg${s}` as keyof typeof dictionaries.en], `${lang} ${s}`).toBeTruthy();
  }
});

test("every new label has a Hebrew text", () => {
  for (const key of Object.keys(dictionaries.en) as (keyof typeof dictionaries.en)[]) expect(dictionaries.he[key], key).toBeTruthy();
});
