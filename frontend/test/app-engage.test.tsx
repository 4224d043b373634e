// The Engagement and Insights forms: each sends one mutation with the right variables, and a typed error
// from the API stands under the field it names (and nothing reads as saved).
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { Fetcher } from "../src/app/api";
import Engagement, { ActionRow, type Action } from "../src/app/screens/Engagement";
import Insights from "../src/app/screens/Insights";
import { ActionForm } from "../src/app/screens/engagement/ActionForm";
import { ChallengeForm } from "../src/app/screens/engagement/ChallengeForm";
import { BulkGrantForm } from "../src/app/screens/engagement/BulkGrantForm";
import { PlanForm } from "../src/app/screens/engagement/PlanForm";
import { CampaignActions } from "../src/app/screens/insights/CampaignActions";
import { CampaignForm } from "../src/app/screens/insights/CampaignForm";
import { ConsentExportForm, ConsentImportForm } from "../src/app/screens/insights/ConsentForms";
import { SegmentForm } from "../src/app/screens/insights/SegmentForm";
import { withSession, answering, calls, type, fieldError, error } from "./forms";

afterEach(cleanup);


const GOLD = { id: "TG9",  name: "Gold", nameHe: "זהב" };
const CHOICES = { actions: [] as Action[], badges: [{ id: "B1", name: "Regular", nameHe: "קבוע" }], tiers: [{ id: "T1", name: "Regular", nameHe: "רגיל" }, GOLD], currency: "ILS" };
const REVIEW: Action = { id: "A1", key: "product_review", nameEn: "Product review", nameHe: "ביקורת על מוצר", points: 50, isBuiltin: true, isEnabled: false, pendingDays: 0,
  caps: { perDay: 3, perMonth: null, lifetime: null, oncePerObject: true } };

describe("actions", () => {
  test("a custom action is created with its key, names, points, caps and switches in one mutation", async () => {
    const created = { ...REVIEW, key: "newsletter", isBuiltin: false };
    const onSaved = vi.fn();
    const club = answering({ loyaltyActionCreate: { errors: [], action: created } });
    const { container } = withSession(club, <ActionForm onSaved={onSaved} />);
    type(container, "key", "newsletter"); type(container, "nameEn", "Newsletter"); type(container, "nameHe", "ניוזלטר");
    type(container, "points", "30"); type(container, "capPerMonth", "1"); type(container, "pendingDays", "2");
    fireEvent.click(container.querySelector('[name="oncePerObject"]')!);
    fireEvent.click(screen.getByRole("button", { name: "Add a custom action" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(created));
    expect(calls(club)[0][0]).toContain("loyaltyActionCreate");
    expect(calls(club)[0][1]).toEqual({ channel: "il", key: "newsletter", input: {
      nameEn: "Newsletter", nameHe: "ניוזלטר", points: 30, pendingDays: 2, capPerDay: null, capPerMonth: 1, capLifetime: null, isEnabled: true, oncePerObject: true,
    } });
  });

  test("a taken key comes back under the key and nothing is added", async () => {
    const onSaved = vi.fn();
    const club = answering({ loyaltyActionCreate: { ...error("key", "An action 'newsletter' exists already."), action: null } });
    const { container } = withSession(club, <ActionForm onSaved={onSaved} />);
    type(container, "key", "newsletter");
    fireEvent.click(screen.getByRole("button", { name: "Add a custom action" }));
    await waitFor(() => expect(fieldError(container, "key")).toBe("An action 'newsletter' exists already."));
    expect(onSaved).not.toHaveBeenCalled();
    expect(screen.queryByRole("status")).toBeNull();
  });

  test("editing an action from its row sends its caps (an emptied cap as null) and shows a bad cap under that cap", async () => {
    const club = vi.fn(async () => ({ loyaltyActionUpdate: { ...error("capPerDay", "capPerDay must be 1 to 1000."), action: null } })) as unknown as Fetcher;
    const { container } = withSession(club, <table><tbody><ActionRow action={REVIEW} /></tbody></table>);
    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    const form = screen.getByTestId("action-form-product_review");
    type(form, "capPerDay", ""); type(form, "capLifetime", "0");
    fireEvent.click(form.querySelector("button[type=submit]")!);
    await waitFor(() => expect(fieldError(form, "capPerDay")).toBe("capPerDay must be 1 to 1000."));
    expect(calls(club)[0][1]).toEqual({ channel: "il", key: "product_review", input: {
      nameEn: "Product review", nameHe: "ביקורת על מוצר", points: 50, pendingDays: 0, capPerDay: null, capPerMonth: null, capLifetime: 0, isEnabled: false, oncePerObject: true,
    } });
    expect(container.querySelector("[role=status]")).toBeNull();
  });
});

describe("challenges", () => {
  test("a spend challenge is created with its amount in the channel's currency, a fixed window, points and a badge", async () => {
    const onSaved = vi.fn();
    const club = answering({ loyaltyChallengeCreate: { errors: [], challenge: { id: "C9" } } });
    const { container } = withSession(club, <ChallengeForm choices={CHOICES} onSaved={onSaved} />);
    type(container, "name", "Spend 500"); type(container, "nameHe", "קנו ב-500"); type(container, "metric", "SPEND");
    type(container, "targetAmount", "500"); type(container, "startsOn", "2026-12-01"); type(container, "endsOn", "2026-12-31");
    type(container, "rewardPoints", "200"); type(container, "badgeId", "B1"); type(container, "description", "Buy for 500 in December");
    fireEvent.click(screen.getByRole("button", { name: "New challenge" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls(club)[0][1]).toEqual({ channel: "il", input: {
      name: "Spend 500", nameHe: "קנו ב-500", description: "Buy for 500 in December", descriptionHe: "", metric: "SPEND", target: 1,
      targetAmount: { amount: "500", currency: "ILS" }, actionKind: null, window: "FIXED", startsOn: "2026-12-01", endsOn: "2026-12-31",
      windowDays: null, rewardPoints: 200, badgeId: "B1", isActive: true,
    } });
  });

  test("a rolling window without days shows the API's error under the window's days", async () => {
    const club = answering({ loyaltyChallengeUpdate: { ...error("windowDays", "A rolling window needs 1-3650 days."), challenge: null } });
    const challenge = { id: "C1", name: "Three orders", nameHe: "", metric: "PAID_ORDERS", target: 3, targetAmount: null, rewardPoints: 100, isActive: true,
      startsOn: "2026-11-01", endsOn: "2026-11-30", badge: null, window: "FIXED" };
    const onSaved = vi.fn();
    const { container } = withSession(club, <ChallengeForm challenge={challenge} choices={CHOICES} onSaved={onSaved} />);
    type(container, "window", "ROLLING");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(fieldError(container, "windowDays")).toBe("A rolling window needs 1-3650 days."));
    expect(calls(club)[0][1]).toMatchObject({ id: "C1", input: { window: "ROLLING", endsOn: null, windowDays: null, target: 3 } });
    expect(onSaved).not.toHaveBeenCalled();
  });

  test("archiving a challenge sends its id alone", async () => {
    const onSaved = vi.fn();
    const club = answering({ loyaltyChallengeDelete: { errors: [], archived: true } });
    const challenge = { id: "C1", name: "x", nameHe: "", metric: "PAID_ORDERS", target: 3, targetAmount: null, rewardPoints: 100, isActive: true, startsOn: "2026-11-01", endsOn: null, badge: null };
    withSession(club, <ChallengeForm challenge={challenge} choices={CHOICES} onSaved={onSaved} />);
    fireEvent.click(screen.getByRole("button", { name: "Archive" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls(club)[0][0]).toContain("loyaltyChallengeDelete");
    expect(calls(club)[0][1]).toEqual({ channel: "il", id: "C1" });
  });
});

describe("membership plans and bulk grants", () => {
  test("a plan is set on its variant with term, tier, gifts and reminder; an unknown variant shows under the variant", async () => {
    const club = vi.fn()
      .mockResolvedValueOnce({ loyaltyMembershipPlanSet: { ...error("variantId", "No such product variant."), plan: null } })
      .mockResolvedValueOnce({ loyaltyMembershipPlanSet: { errors: [], plan: { id: "P1" } } }) as unknown as Fetcher;
    const onSaved = vi.fn();
    const { container } = withSession(club, <PlanForm choices={CHOICES} onSaved={onSaved} />);
    type(container, "variantId", "UHJvZHVjdFZhcmlhbnQ6OQ=="); type(container, "name", "Club+"); type(container, "term", "YEARLY"); type(container, "tier", GOLD.id);
    type(container, "monthlyGiftPoints", "50"); type(container, "monthlyGiftCredit", "10"); type(container, "reminderDays", "14");
    fireEvent.click(screen.getByRole("button", { name: "New membership plan" }));
    await waitFor(() => expect(fieldError(container, "variantId")).toBe("No such product variant."));
    expect(onSaved).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "New membership plan" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls(club)[1][1]).toEqual({ channel: "il", variantId: "UHJvZHVjdFZhcmlhbnQ6OQ==", input: {
      name: "Club+", term: "YEARLY", tier: GOLD.id, monthlyGiftPoints: 50, monthlyGiftCredit: { amount: "10", currency: "ILS" }, reminderDays: 14, isActive: true,
    } });
  });

  test("a grant to a list sends the IDs, one key per intended grant; a grant by filter sends the filter", async () => {
    const club = vi.fn()
      .mockResolvedValueOnce({ loyaltyBulkGrantCreate: { errors: [], grant: { id: "G1", state: "DONE", granted: 2, skipped: 0 } } })
      .mockResolvedValueOnce({ loyaltyBulkGrantCreate: { ...error("reason", "Say why."), grant: null } }) as unknown as Fetcher;
    const { container } = withSession(club, <BulkGrantForm choices={CHOICES} />);
    type(container, "userIds", "VXNlcjox\nVXNlcjoy"); type(container, "points", "100"); type(container, "reason", "Sorry for the delay");
    fireEvent.click(screen.getByRole("button", { name: "Grant" }));
    await screen.findByText("Granted: 2 · Skipped: 0");
    const first = calls(club)[0][1];
    expect(first).toMatchObject({ channel: "il", points: 100, reason: "Sorry for the delay", userIds: ["VXNlcjox", "VXNlcjoy"], filter: null });
    type(container, "to", "filter"); type(container, "tierId", GOLD.id); type(container, "balanceMin", "500"); type(container, "points", "50");
    fireEvent.click(screen.getByRole("button", { name: "Grant" }));
    await waitFor(() => expect(fieldError(container, "reason")).toBe("Say why."));
    const second = calls(club)[1][1];
    expect(second).toMatchObject({ userIds: null, filter: { tierId: GOLD.id, balanceMin: 500 }, points: 50, reason: "" });
    expect(second.key).not.toBe(first.key);
  });
});

describe("bulk grants by email", () => {
  test("emails are resolved to members first; one that is not a member stops the grant with its error under the list", async () => {
    const club = vi.fn(async (doc: string, vars: Record<string, string>) => {
      if (doc.includes("query MemberIds")) return { m0: { userId: "VXNlcjox" }, m1: vars.e1 === "ghost@example.co.il" ? null : { userId: "VXNlcjoz" } };
      return { loyaltyBulkGrantCreate: { errors: [], grant: { id: "G1", state: "DONE", granted: 3, skipped: 0 } } };
    }) as unknown as Fetcher;
    const { container } = withSession(club, <BulkGrantForm choices={CHOICES} />);
    type(container, "userIds", "dana@example.co.il\nghost@example.co.il\nVXNlcjoy"); type(container, "points", "100"); type(container, "reason", "Thanks");
    fireEvent.click(screen.getByRole("button", { name: "Grant" }));
    await waitFor(() => expect(fieldError(container, "userIds")).toBe("Not members of this club: ghost@example.co.il"));
    expect(calls(club)).toHaveLength(1);
    expect(calls(club)[0][1]).toEqual({ channel: "il", e0: "dana@example.co.il", e1: "ghost@example.co.il" });
    type(container, "userIds", "dana@example.co.il, maya@example.co.il\nVXNlcjoy");
    fireEvent.click(screen.getByRole("button", { name: "Grant" }));
    await screen.findByText("Granted: 3 · Skipped: 0");
    expect(calls(club)[2][1]).toMatchObject({ userIds: ["VXNlcjoy", "VXNlcjox", "VXNlcjoz"], filter: null });
  });
});

describe("campaigns", () => {
  const SAVED = [{ id: "S1", name: "Big spenders", filters: '{"spend_min": "1000"}', updatedAt: "2026-11-01T00:00:00Z" }];

  test("a campaign to chosen tiers with two variants goes in one create, each variant with its languages", async () => {
    const onSaved = vi.fn();
    const club = answering({ loyaltyCampaignCreate: { errors: [], campaign: { id: "K1" } } });
    const { container } = withSession(club, <CampaignForm choices={{ tiers: CHOICES.tiers, savedSegments: SAVED }} onSaved={onSaved} />);
    type(container, "name", "Hanukkah"); type(container, "audienceKind", "TIERS"); type(container, "holdoutPercent", "10");
    fireEvent.click(container.querySelector(`[name="audienceTierIds"][value="${GOLD.id}"]`)!);
    type(container, "variants.0.he.subject", "שלום {first_name}"); type(container, "variants.0.he.body", "יש לך {points} נקודות");
    type(container, "variants.0.en.subject", "Hi {first_name}"); type(container, "variants.0.en.body", "You have {points} points");
    fireEvent.click(screen.getByRole("button", { name: "Add variant" }));
    type(container, "variants.1.he.subject", "חג שמח"); type(container, "variants.1.he.body", "הטבה"); type(container, "variants.1.incentivePoints", "50");
    fireEvent.click(screen.getByRole("button", { name: "New campaign" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls(club)[0][1]).toEqual({ channel: "il", input: {
      name: "Hanukkah", medium: "EMAIL", audienceKind: "TIERS", audienceTierIds: [GOLD.id], audienceSegment: null, audienceSavedSegmentId: null,
      defaultLanguage: "HE", holdoutPercent: 10, attributionDays: 5, winnerMetric: "CONVERSION",
      variants: [
        { key: "A", weight: 1, incentivePoints: 0, contents: [
          { language: "HE", subject: "שלום {first_name}", body: "יש לך {points} נקודות" }, { language: "EN", subject: "Hi {first_name}", body: "You have {points} points" }] },
        { key: "B", weight: 1, incentivePoints: 50, contents: [{ language: "HE", subject: "חג שמח", body: "הטבה" }] },
      ],
    } });
  });

  test("an SMS campaign sends its text without a subject and counts segments as it is typed", async () => {
    const club = answering({ loyaltyCampaignCreate: { errors: [], campaign: { id: "K3" } } });
    const onSaved = vi.fn();
    const { container } = withSession(club, <CampaignForm choices={{ tiers: [], savedSegments: SAVED }} onSaved={onSaved} />);
    type(container, "name", "Flash"); type(container, "winnerMetric", "OPEN"); type(container, "medium", "SMS");
    expect(container.querySelector('[name="variants.0.he.subject"]')).toBeNull();
    expect(Array.from(container.querySelectorAll('[name="winnerMetric"] option')).map((o) => o.getAttribute("value"))).toEqual(["CONVERSION", "CLICK"]);
    expect(screen.getByTestId("merge-fields").textContent).toContain("{opt_out}");
    const counter = () => screen.getByTestId("sms-count-0-he");
    type(container, "variants.0.he.body", "שלום {first_name} {opt_out}");
    expect(counter().textContent).toContain("UCS-2");
    const short = Number(counter().getAttribute("data-segments"));
    type(container, "variants.0.he.body", `${"מבצע ".repeat(40)}{opt_out}`);
    expect(Number(counter().getAttribute("data-segments"))).toBeGreaterThan(short);
    fireEvent.click(screen.getByRole("button", { name: "New campaign" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls(club)[0][1]).toMatchObject({ input: { medium: "SMS", winnerMetric: "CONVERSION",
      variants: [{ key: "A", contents: [{ language: "HE", body: `${"מבצע ".repeat(40)}{opt_out}` }] }] } });
    expect((calls(club)[0][1] as { input: { variants: { contents: object[] }[] } }).input.variants[0].contents[0]).not.toHaveProperty("subject");
  });

  test("an SMS without its opt-out part shows the server's typed error under that text", async () => {
    const club = answering({ loyaltyCampaignCreate: { ...error("variants.0.he.body", "Put {opt_out} in the text once."), campaign: null } });
    const { container } = withSession(club, <CampaignForm choices={{ tiers: [], savedSegments: SAVED }} onSaved={vi.fn()} />);
    type(container, "name", "Flash"); type(container, "medium", "SMS"); type(container, "variants.0.he.body", "שלום");
    fireEvent.click(screen.getByRole("button", { name: "New campaign" }));
    await waitFor(() => expect(fieldError(container, "variants.0.he.body")).toBe("Put {opt_out} in the text once."));
  });

  test("an unknown merge field in a variant's Hebrew subject stands under that subject; a saved segment is sent by its id", async () => {
    const club = answering({ loyaltyCampaignUpdate: { ...error("variants.0.he.subject", "Unknown merge field {nickname}."), campaign: null } });
    const campaign = { id: "K2", name: "Winback", status: "DRAFT", holdoutPercent: 0, audienceKind: "SEGMENT", audienceSavedSegmentId: "S1", defaultLanguage: "HE",
      variants: [{ key: "A", weight: 1, incentivePoints: 0, contents: [{ language: "HE", subject: "היי {nickname}", body: "חזרו" }] }] };
    const onSaved = vi.fn();
    const { container } = withSession(club, <CampaignForm campaign={campaign} choices={{ tiers: [], savedSegments: SAVED }} onSaved={onSaved} />);
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(fieldError(container, "variants.0.he.subject")).toBe("Unknown merge field {nickname}."));
    expect(calls(club)[0][1]).toMatchObject({ id: "K2", input: { audienceKind: "SEGMENT", audienceSavedSegmentId: "S1", audienceSegment: null,
      variants: [{ key: "A", contents: [{ language: "HE", subject: "היי {nickname}", body: "חזרו" }] }] } });
    expect(onSaved).not.toHaveBeenCalled();
  });

  test("a draft is sent now (no time), scheduled at a time with its offset, or cancelled; an error stays by the buttons", async () => {
    const onDone = vi.fn();
    const club = vi.fn()
      .mockResolvedValueOnce({ loyaltyCampaignSchedule: { errors: [], campaign: { id: "K1", status: "SCHEDULED" } } })
      .mockResolvedValueOnce({ loyaltyCampaignSchedule: { errors: [], campaign: { id: "K1", status: "SCHEDULED" } } })
      .mockResolvedValueOnce({ loyaltyCampaignCancel: { ...error("id", "The campaign is already sent."), campaign: null } }) as unknown as Fetcher;
    const { container } = withSession(club, <CampaignActions campaign={{ id: "K1", name: "x", status: "DRAFT", holdoutPercent: 0 }} onDone={onDone} />);
    fireEvent.click(screen.getByRole("button", { name: "Send now" }));
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(calls(club)[0][1]).toEqual({ channel: "il", id: "K1", sendAt: null });
    type(container, "sendAt-K1", "2026-12-20T18:00");
    fireEvent.click(screen.getByRole("button", { name: "Schedule" }));
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(2));
    expect(calls(club)[1][1].sendAt).toBe(new Date("2026-12-20T18:00").toISOString());
    fireEvent.click(screen.getByRole("button", { name: "Cancel campaign" }));
    await waitFor(() => expect(fieldError(container, "campaign-K1")).toBe("The campaign is already sent."));
    expect(calls(club)[2][0]).toContain("loyaltyCampaignCancel");
    expect(onDone).toHaveBeenCalledTimes(2);
  });

  test("a sent campaign offers nothing to do", () => {
    const { container } = withSession(vi.fn() as unknown as Fetcher, <CampaignActions campaign={{ id: "K1", name: "x", status: "SENT", holdoutPercent: 0 }} onDone={() => undefined} />);
    expect(container.querySelector("button")).toBeNull();
  });
});

describe("saved segments", () => {
  const TIER = { id: btoa("LoyaltyTier:7"), name: "Gold", nameHe: "זהב" };
  test("editing reads the stored filters and sends the input's names; a bad amount stands under it", async () => {
    const club = answering({ loyaltySavedSegmentUpdate: { ...error("spendMin", "Must be at least 0."), savedSegment: null } });
    const from = new Date("2026-10-01T00:00").toISOString();
    const segment = { id: "S1", name: "Big spenders", filters: JSON.stringify({ spend_min: "1000", tier_id: 7, segments: ["loyal"], last_order_from: from, was_referred: false }), updatedAt: "2026-11-01T00:00:00Z" };
    const { container } = withSession(club, <SegmentForm segment={segment} choices={{ tiers: [TIER], savedSegments: [] }} onSaved={() => undefined} />);
    expect((container.querySelector('[name="tierId"]') as HTMLSelectElement).value).toBe(TIER.id);
    expect((container.querySelector('[name="lastOrderFrom"]') as HTMLInputElement).value).toBe("2026-10-01");
    type(container, "spendMin", "-5"); type(container, "ordersMin", "2"); type(container, "emailConsent", "true");
    fireEvent.click(container.querySelector('[name="paidMembership"][value="ACTIVE"]')!);
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(fieldError(container, "spendMin")).toBe("Must be at least 0."));
    expect(calls(club)[0][1]).toEqual({ channel: "il", id: "S1", input: { name: "Big spenders", filters: {
      tierId: TIER.id, spendMin: "-5", ordersMin: 2, emailConsent: true, wasReferred: false, lastOrderFrom: from, segments: ["LOYAL"], paidMembership: ["ACTIVE"] } } });
  });

  test("a new segment is created from its filters, and a saved one is deleted by id", async () => {
    const onSaved = vi.fn();
    const club = vi.fn()
      .mockResolvedValueOnce({ loyaltySavedSegmentCreate: { errors: [], savedSegment: { id: "S2" } } })
      .mockResolvedValueOnce({ loyaltySavedSegmentDelete: { errors: [] } }) as unknown as Fetcher;
    const { container } = withSession(club, <SegmentForm choices={{ tiers: [], savedSegments: [] }} onSaved={onSaved} />);
    type(container, "name", "Lapsed VIPs");
    fireEvent.click(container.querySelector('[name="segments"][value="LAPSED"]')!);
    fireEvent.click(screen.getByRole("button", { name: "New saved segment" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(1));
    expect(calls(club)[0][1]).toEqual({ channel: "il", input: { name: "Lapsed VIPs", filters: { segments: ["LAPSED"] } } });
    cleanup();
    withSession(club, <SegmentForm segment={{ id: "S2", name: "Lapsed VIPs", filters: "{}", updatedAt: "" }} choices={{ tiers: [], savedSegments: [] }} onSaved={onSaved} />);
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(2));
    expect(calls(club)[1][1]).toEqual({ channel: "il", id: "S2" });
  });
});

describe("consent evidence", () => {
  test("the export downloads the file the API made; an unknown address stands under the address", async () => {
    const club = vi.fn()
      .mockResolvedValueOnce({ loyaltyConsentEvidenceExport: { ...error("address", "No consent history for this address."), content: null, filename: null } })
      .mockResolvedValueOnce({ loyaltyConsentEvidenceExport: { errors: [], content: "medium,address\nemail,dana@example.co.il\n", filename: "consent-dana.csv" } }) as unknown as Fetcher;
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => { created.push(b); return "blob:x"; }) as typeof URL.createObjectURL;
    URL.revokeObjectURL = vi.fn();
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    const { container } = withSession(club, <ConsentExportForm />);
    type(container, "address", "nobody@example.co.il");
    fireEvent.click(screen.getByRole("button", { name: "Export" }));
    await waitFor(() => expect(fieldError(container, "address")).toBe("No consent history for this address."));
    expect(clicked).not.toHaveBeenCalled();
    type(container, "address", " dana@example.co.il ");
    fireEvent.click(screen.getByRole("button", { name: "Export" }));
    await waitFor(() => expect(clicked).toHaveBeenCalled());
    expect(calls(club)[1][1]).toEqual({ channel: "il", address: "dana@example.co.il", medium: "EMAIL", format: "CSV" });
    expect(await created[0].text()).toContain("dana@example.co.il");
    clicked.mockRestore();
  });

  test("an import sends the file's lines and lists each row's typed error", async () => {
    const club = answering({ loyaltyConsentImport: { errors: [{ field: "csvLines", message: "Row 2, occurredAt: needs a timezone", code: "INVALID" }],
      rows: null, created: null, alreadyImported: null, rowErrors: [{ row: 2, field: "occurredAt", message: "needs a timezone", code: "INVALID" }] } });
    const { container } = withSession(club, <ConsentImportForm />);
    const csv = "medium,address,action,occurred_at,wording,locale,origin,evidence\r\nemail,a@x.co.il,grant,2026-01-01T10:00:00,Yes,he,shop,paper\r\n\r\n";
    const file = new File([csv], "consents.csv", { type: "text/csv" });
    fireEvent.change(container.querySelector('[name="csvFile"]')!, { target: { files: [file] } });
    const button = screen.getByRole("button", { name: "Import" });
    await waitFor(() => expect(button.hasAttribute("disabled")).toBe(false));
    fireEvent.click(button);
    await screen.findByTestId("row-errors");
    expect(calls(club)[0][1]).toEqual({ channel: "il", csvLines: [
      "medium,address,action,occurred_at,wording,locale,origin,evidence", "email,a@x.co.il,grant,2026-01-01T10:00:00,Yes,he,shop,paper"] });
    expect(container.querySelector('[data-row-error="2-occurredAt"]')?.textContent).toContain("needs a timezone");
    expect(fieldError(container, "csvLines")).toContain("Row 2");
  });
});

describe("the screens wire their forms", () => {
  const CHALLENGE = { id: "C1", name: "Three orders", nameHe: "שלוש הזמנות", description: "", descriptionHe: "", metric: "ACTIONS", target: 3, targetAmount: null,
    actionKind: "product_review", window: "ROLLING", startsOn: "2026-11-01", endsOn: null, windowDays: 30, rewardPoints: 100, isActive: true, archivedAt: null, badge: { id: "B1", name: "Regular", nameHe: "קבוע" } };

  test("Engagement: a challenge's Edit opens its form filled in, choosing among the channel's actions and badges; saving reloads the lists", async () => {
    const club = vi.fn(async (doc: string) => {
      if (doc.includes("ChallengeSummaries")) return { s0: { completed: 0, pointsAwarded: 0, badgesAwarded: 0, lastCompletedAt: null } };
      if (doc.includes("loyaltyChallengeUpdate")) return { loyaltyChallengeUpdate: { errors: [], challenge: CHALLENGE } };
      return { actions: [REVIEW], challenges: [CHALLENGE], membershipPlans: [], badges: CHOICES.badges, program: { currency: "ILS", tiers: CHOICES.tiers }, referrals: { totalCount: 0, edges: [] } };
    }) as unknown as Fetcher;
    withSession(club, <Engagement />, "he");
    const row = await screen.findByTestId("challenge-C1");
    expect(row.textContent).toContain("פעולות שבוצעו");
    fireEvent.click(row.querySelector("button")!);
    const form = screen.getByTestId("challenge-form-C1");
    expect((form.querySelector('[name="actionKind"]') as HTMLSelectElement).value).toBe("product_review");
    expect((form.querySelector('[name="windowDays"]') as HTMLInputElement).value).toBe("30");
    expect((form.querySelector('[name="badgeId"]') as HTMLSelectElement).value).toBe("B1");
    fireEvent.click(form.querySelector("button[type=submit]")!);
    await waitFor(() => expect(calls(club).filter(([doc]) => String(doc).includes("query Engagement"))).toHaveLength(2));
    const update = calls(club).find(([doc]) => String(doc).includes("loyaltyChallengeUpdate"))!;
    expect(update[1]).toMatchObject({ id: "C1", input: { metric: "ACTIONS", actionKind: "product_review", window: "ROLLING", windowDays: 30, endsOn: null, badgeId: "B1" } });
  });

  test("Insights: a draft campaign can be sent or edited, a sent one only shows its results; the new-campaign form offers saved segments", async () => {
    const results = { metric: "CONVERSION", winner: null, winnerP: null, lift: null, variants: [], holdout: { key: "holdout", recipients: 0, sent: 0, converted: 0, ordered: 0, revenue: { amount: 0, currency: "ILS" }, conversionRate: { rate: null }, orderedRate: { rate: null } } };
    const campaign = (id: string, status: string) => ({ id, name: `Campaign ${id}`, status, startedAt: null, finishedAt: null, holdoutPercent: 0, scheduledAt: null, results,
      audienceKind: "ALL", audienceTierIds: [], defaultLanguage: "HE", variants: [{ key: "A", weight: 1, incentivePoints: 0, contents: [{ language: "HE", subject: "s", body: "b" }] }] });
    const club = vi.fn(async () => ({ segmentSizes: [], savedSegments: [{ id: "S1", name: "Big spenders", filters: "{}", updatedAt: "2026-11-01T00:00:00Z" }],
      program: { currency: "ILS", tiers: CHOICES.tiers }, campaigns: { totalCount: 2, edges: [{ node: campaign("K1", "DRAFT") }, { node: campaign("K2", "SENT") }] },
      npsReport: null, npsDetractors: null })) as unknown as Fetcher;
    const { container } = withSession(club, <Insights />);
    await screen.findByTestId("campaign-actions-K1");
    expect(screen.queryByTestId("campaign-actions-K2")).toBeNull();
    const newForm = screen.getByTestId("campaign-new");
    type(newForm, "audienceKind", "SEGMENT");
    expect([...newForm.querySelectorAll('[name="segment"] option')].map((o) => o.getAttribute("value"))).toContain("saved:S1");
    fireEvent.click(screen.getByTestId("campaigns").querySelector('button[aria-expanded="false"]')!);
    expect((container.querySelector('[data-testid="campaign-form-K1"] [name="variants.0.he.subject"]') as HTMLInputElement).value).toBe("s");
  });
});
