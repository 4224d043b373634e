// The rest of the club's staff operations in the app (issue 12): each form sends one mutation with exactly
// these variables, and a typed error from the API stands under the field it names (nothing reads as saved).
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { Fetcher } from "../src/app/api";
import { ActionRow, type Action } from "../src/app/screens/Engagement";
import { BadgeForm, type Badge } from "../src/app/screens/engagement/Badges";
import { BulkGrantForm } from "../src/app/screens/engagement/BulkGrantForm";
import { BulkGrantsHistory } from "../src/app/screens/engagement/BulkGrantsHistory";
import { DeleteButton } from "../src/app/screens/engagement/DeleteButton";
import { ActionSettingsForm, ReferralSettingsForm, type ReferralSettings } from "../src/app/screens/engagement/SettingsForms";
import { FindingRow, type Finding } from "../src/app/screens/settings/Reconciliation";
import { ClubShippingForm, EarlyAccessForm, TierExtras } from "../src/app/screens/tiers/TierExtras";
import { PLAN_DELETE } from "../src/app/staffQueries";
import { withSession, answering, calls, type, fieldError, error, submit } from "./forms";

afterEach(cleanup);


const ILS = (amount: number) => ({ amount, currency: "ILS" });
const REFERRAL: ReferralSettings = {
  enabled: true, referrerPoints: 200, referrerReward: "POINTS", referrerCredit: null, friendBenefit: "VOUCHER_PERCENT", friendPercent: 10, friendAmount: null, friendPoints: 0, pendingDays: 14,
  monthlyCap: 5, minOrderTotal: ILS(100), linkTemplate: "https://shop.example/?ref={code}", holdAll: false, holdOrderTotalOver: ILS(2000), holdSharedAddress: true,
};

describe("engagement settings", () => {
  test("referral rules go in one mutation: decimals as strings, an emptied hold limit cleared, the saved rules shown", async () => {
    const saved = { ...REFERRAL, referrerPoints: 300, holdOrderTotalOver: null };
    const club = answering({ loyaltyReferralSettingsUpdate: { errors: [], settings: saved } });
    const { container } = withSession(club, <ReferralSettingsForm settings={REFERRAL} currency="ILS" />);
    type(container, "referrerPoints", "300"); type(container, "holdOrderTotalOver", ""); type(container, "friendValue", "12.5");
    fireEvent.click(container.querySelector('[name="holdAll"]')!);
    submit(container);
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Saved"));
    expect(calls(club)).toHaveLength(1);
    expect(calls(club)[0][0]).toContain("loyaltyReferralSettingsUpdate");
    expect(calls(club)[0][1]).toEqual({ channel: "il", input: {
      referrerReward: "POINTS", friendBenefit: "VOUCHER_PERCENT", linkTemplate: "https://shop.example/?ref={code}", referrerPoints: 300, friendPoints: 0, pendingDays: 14,
      monthlyCap: 5, enabled: true, holdAll: true, holdSharedAddress: true, friendValue: "12.5", minOrderTotal: "100", clearHoldOrderTotalOver: true,
    } });
    expect((container.querySelector('[name="referrerPoints"]') as HTMLInputElement).value).toBe("300");
  });

  test("the referrer's reward can be store credit: the amount goes as a string and the saved credit is shown", async () => {
    const saved = { ...REFERRAL, referrerReward: "STORE_CREDIT", referrerCredit: ILS(30) };
    const club = answering({ loyaltyReferralSettingsUpdate: { errors: [], settings: saved } });
    const { container } = withSession(club, <ReferralSettingsForm settings={REFERRAL} currency="ILS" />);
    const reward = container.querySelector('[name="referrerReward"]') as HTMLSelectElement;
    expect([...reward.options].map((o) => o.textContent)).toEqual(["Points", "Store credit on the club card"]);
    fireEvent.change(reward, { target: { value: "STORE_CREDIT" } });
    type(container, "referrerCredit", "30");
    submit(container);
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Saved"));
    expect(calls(club)[0][1]).toMatchObject({ input: { referrerReward: "STORE_CREDIT", referrerCredit: "30" } });
    expect((container.querySelector('[name="referrerCredit"]') as HTMLInputElement).value).toBe("30");
    expect((container.querySelector('[name="referrerReward"]') as HTMLSelectElement).value).toBe("STORE_CREDIT");
  });

  test("store credit without an amount comes back under the credit field and nothing reads as saved", async () => {
    const club = answering({ loyaltyReferralSettingsUpdate: { ...error("referrerCredit", "A store-credit reward gives more than 0."), settings: null } });
    const { container } = withSession(club, <ReferralSettingsForm settings={REFERRAL} currency="ILS" />);
    fireEvent.change(container.querySelector('[name="referrerReward"]')!, { target: { value: "STORE_CREDIT" } });
    submit(container);
    await waitFor(() => expect(fieldError(container, "referrerCredit")).toBe("A store-credit reward gives more than 0."));
    expect(calls(club)[0][1]).toMatchObject({ input: { referrerReward: "STORE_CREDIT" } });
    expect(calls(club)[0][1]).not.toHaveProperty("input.referrerCredit");
    expect(screen.queryByRole("status")).toBeNull();
  });

  test("a bad link template comes back under it and nothing reads as saved", async () => {
    const club = answering({ loyaltyReferralSettingsUpdate: { ...error("linkTemplate", "The URL must contain {code} exactly once."), settings: null } });
    const { container } = withSession(club, <ReferralSettingsForm settings={REFERRAL} currency="ILS" />);
    type(container, "linkTemplate", "https://shop.example/");
    submit(container);
    await waitFor(() => expect(fieldError(container, "linkTemplate")).toBe("The URL must contain {code} exactly once."));
    expect(calls(club)[0][1]).toMatchObject({ input: { linkTemplate: "https://shop.example/" } });
    expect(screen.queryByRole("status")).toBeNull();
  });

  test("the club page's settings and the anniversary gift are sent together (credit as money); a bad address shows under it", async () => {
    const club = answering({ loyaltyActionSettingsUpdate: { ...error("storefrontUrl", "Give an http or https address."), settings: null } });
    const settings = { storefrontUrl: "https://shop.example", termsEn: "Terms", termsHe: "תקנון", anniversaryPoints: 50, anniversaryCredit: ILS(0) };
    const { container } = withSession(club, <ActionSettingsForm settings={settings} currency="ILS" />);
    type(container, "storefrontUrl", "shop"); type(container, "anniversaryCredit", "20"); type(container, "termsHe", "תקנון חדש");
    submit(container);
    await waitFor(() => expect(fieldError(container, "storefrontUrl")).toBe("Give an http or https address."));
    expect(calls(club)[0][0]).toContain("loyaltyActionSettingsUpdate");
    expect(calls(club)[0][1]).toEqual({ channel: "il", input: {
      storefrontUrl: "shop", termsEn: "Terms", termsHe: "תקנון חדש", anniversaryPoints: 50, anniversaryCredit: { amount: "20", currency: "ILS" },
    } });
    expect(screen.queryByRole("status")).toBeNull();
  });
});

const BADGE: Badge = { id: "QmFkZ2U6MQ==", name: "Regular", nameHe: "קבוע", description: "", descriptionHe: "", imageUrl: null };

describe("badges", () => {
  test("a badge is created with both names in one mutation and handed to the list", async () => {
    const created = { ...BADGE, id: "B2", name: "Explorer", nameHe: "חוקר" };
    const onSaved = vi.fn();
    const club = answering({ loyaltyBadgeCreate: { errors: [], badge: created } });
    const { container } = withSession(club, <BadgeForm onSaved={onSaved} />);
    type(container, "name", "Explorer"); type(container, "nameHe", " חוקר ");
    fireEvent.click(screen.getByRole("button", { name: "New badge" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(created));
    expect(calls(club)[0][0]).toContain("loyaltyBadgeCreate");
    expect(calls(club)[0][1]).toEqual({ channel: "il", input: { name: "Explorer", nameHe: "חוקר", description: "", descriptionHe: "", imageUrl: null } });
  });

  test("editing a badge sends its id; a name too long comes back under the Hebrew name", async () => {
    const onSaved = vi.fn();
    const club = answering({ loyaltyBadgeUpdate: { ...error("nameHe", "At most 100 characters."), badge: null } });
    const { container } = withSession(club, <BadgeForm badge={BADGE} onSaved={onSaved} />, "he");
    type(container, "nameHe", "א".repeat(101));
    submit(container);
    await waitFor(() => expect(fieldError(container, "nameHe")).toBe("At most 100 characters."));
    expect(calls(club)[0][1]).toMatchObject({ channel: "il", id: BADGE.id, input: { name: "Regular", nameHe: "א".repeat(101) } });
    expect(onSaved).not.toHaveBeenCalled();
  });
});

const CUSTOM: Action = { id: "A9", key: "instagram_follow", nameEn: "Follow us", nameHe: "עקבו", points: 30, isBuiltin: false, isEnabled: true, pendingDays: 0,
  caps: { perDay: null, perMonth: null, lifetime: 1, oncePerObject: false } };

describe("deleting", () => {
  test("a custom action is deleted only after the second click, by its key", async () => {
    const onDeleted = vi.fn();
    const club = answering({ loyaltyActionDelete: { errors: [], key: "instagram_follow" } });
    withSession(club, <table><tbody><ActionRow action={CUSTOM} onDeleted={onDeleted} /></tbody></table>);
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    expect(calls(club)).toHaveLength(0);
    fireEvent.click(screen.getByRole("button", { name: "Really delete?" }));
    await waitFor(() => expect(onDeleted).toHaveBeenCalled());
    expect(calls(club)[0][0]).toContain("loyaltyActionDelete");
    expect(calls(club)[0][1]).toEqual({ channel: "il", key: "instagram_follow" });
  });

  test("a built-in action has no delete button", () => {
    withSession(answering({}), <table><tbody><ActionRow action={{ ...CUSTOM, isBuiltin: true }} onDeleted={() => undefined} /></tbody></table>);
    expect(screen.queryByRole("button", { name: "Delete" })).toBeNull();
  });

  test("a plan someone bought answers PLAN_IN_USE, shown beside the button, and nothing is removed", async () => {
    const onDeleted = vi.fn();
    const club = vi.fn(async () => ({ loyaltyMembershipPlanDelete: { errors: [{ field: "id", message: "Members bought this plan.", code: "PLAN_IN_USE" }] } })) as unknown as Fetcher;
    const run = async () => (await club<{ loyaltyMembershipPlanDelete: { errors: [] } }>(PLAN_DELETE, { channel: "il", id: "P1" })).loyaltyMembershipPlanDelete;
    const { container } = withSession(club, <DeleteButton name="plan-P1" run={run} onDeleted={onDeleted} />);
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    fireEvent.click(screen.getByRole("button", { name: "Really delete?" }));
    await waitFor(() => expect(fieldError(container, "delete-plan-P1")).toBe("Members bought this plan."));
    expect(onDeleted).not.toHaveBeenCalled();
  });
});

test("the bulk grants history says what, when, to how many and by whom", () => {
  withSession(answering({}), <BulkGrantsHistory grants={[{ id: "G1", points: 100, reason: "Hanukkah gift", state: "DONE", granted: 24, skipped: 1, byFilter: true,
    actor: "staff@example.com", created: "2026-11-01T10:00:00Z", finished: "2026-11-01T10:01:00Z" }]} />);
  const row = screen.getByTestId("bulk-grant-G1");
  for (const text of ["100", "Hanukkah gift", "24", "1", "By filter", "staff@example.com", "1 Nov 2026"]) expect(row.textContent).toContain(text);
});

test("a bulk grant that went through tells the screen to reload its history; a refused one does not", async () => {
  const onGranted = vi.fn();
  const club = vi.fn()
    .mockResolvedValueOnce({ loyaltyBulkGrantCreate: { ...error("reason", "Say why."), grant: null } })
    .mockResolvedValueOnce({ loyaltyBulkGrantCreate: { errors: [], grant: { id: "G1", state: "DONE", granted: 1, skipped: 0 } } }) as unknown as Fetcher;
  const { container } = withSession(club, <BulkGrantForm choices={{ actions: [], badges: [], tiers: [], currency: "ILS" }} onGranted={onGranted} />);
  type(container, "userIds", "VXNlcjox"); type(container, "points", "100");
  fireEvent.click(screen.getByRole("button", { name: "Grant" }));
  await waitFor(() => expect(fieldError(container, "reason")).toBe("Say why."));
  expect(onGranted).not.toHaveBeenCalled();
  type(container, "reason", "Thanks");
  fireEvent.click(screen.getByRole("button", { name: "Grant" }));
  await waitFor(() => expect(onGranted).toHaveBeenCalledTimes(1));
});

describe("tiers' club perks", () => {
  test("shipping method IDs typed one a line replace the channel's list in one mutation", async () => {
    const club = answering({ loyaltyClubShippingMethodsSet: { errors: [], shippingMethodIds: ["U2hpcHBpbmdNZXRob2Q6MQ==", "U2hpcHBpbmdNZXRob2Q6Mg=="] } });
    const { container } = withSession(club, <ClubShippingForm ids={[]} />);
    type(container, "shippingMethodIds", "U2hpcHBpbmdNZXRob2Q6MQ==\n\n U2hpcHBpbmdNZXRob2Q6Mg== \n");
    submit(container);
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Saved"));
    expect(calls(club)[0][1]).toEqual({ channel: "il", ids: ["U2hpcHBpbmdNZXRob2Q6MQ==", "U2hpcHBpbmdNZXRob2Q6Mg=="] });
  });

  test("a shipping method that is not free in the channel is refused under the list", async () => {
    const club = answering({ loyaltyClubShippingMethodsSet: { ...error("shippingMethodIds", "Only methods priced 0 in the channel."), shippingMethodIds: null } });
    const { container } = withSession(club, <ClubShippingForm ids={["X1"]} />);
    submit(container);
    await waitFor(() => expect(fieldError(container, "shippingMethodIds")).toBe("Only methods priced 0 in the channel."));
    expect(calls(club)[0][1]).toEqual({ channel: "il", ids: ["X1"] });
    expect(screen.queryByRole("status")).toBeNull();
  });

  test("early access marks products and collections with the window and the lowest tier in one mutation", async () => {
    const onSaved = vi.fn();
    const club = answering({ loyaltyEarlyAccessMark: { errors: [], items: [] } });
    const { container } = withSession(club, <EarlyAccessForm tiers={[{ id: "T1", name: "Gold" }]} onSaved={onSaved} />);
    type(container, "products", "UHJvZHVjdDox, UHJvZHVjdDoy"); type(container, "endsAt", "2026-12-20T10:00");
    fireEvent.change(container.querySelector('[name="minimumTier"]')!, { target: { value: "T1" } });
    submit(container);
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls(club)[0][1]).toEqual({ channel: "il", input: {
      products: ["UHJvZHVjdDox", "UHJvZHVjdDoy"], collections: [], startsAt: null, endsAt: new Date("2026-12-20T10:00").toISOString(), minimumTier: "T1",
    } });
  });

  test("an unknown product comes back under the products and nothing is marked", async () => {
    const onSaved = vi.fn();
    const club = answering({ loyaltyEarlyAccessMark: { ...error("products", "No product UHJvZHVjdDo5."), items: null } });
    const { container } = withSession(club, <EarlyAccessForm tiers={[]} onSaved={onSaved} />);
    type(container, "products", "UHJvZHVjdDo5");
    submit(container);
    await waitFor(() => expect(fieldError(container, "products")).toBe("No product UHJvZHVjdDo5."));
    expect(onSaved).not.toHaveBeenCalled();
  });

  test("a marked collection is released by its ID as a collection", async () => {
    const club = vi.fn(async (query: string) => (query.includes("loyaltyEarlyAccessUnmark") ? { loyaltyEarlyAccessUnmark: { errors: [], unmarked: 1 } }
      : { clubShippingMethodIds: [], earlyAccess: [{ id: "Q29sbGVjdGlvbjox", kind: "COLLECTION", startsAt: null, endsAt: null, minimumTier: null }] })) as unknown as Fetcher;
    withSession(club, <TierExtras tiers={[]} />);
    fireEvent.click(await screen.findByRole("button", { name: "Release" }));
    await waitFor(() => expect(calls(club).length).toBe(3));
    expect(calls(club)[1][1]).toEqual({ channel: "il", collections: ["Q29sbGVjdGlvbjox"] });
  });
});

const FINDING: Finding = { id: "RmluZGluZzox", check: "points", email: "member24@example.co.il", userId: null, expected: "240", found: "245", drift: "5",
  foundAt: "2026-11-30T01:00:00Z", resolvedAt: null, resolution: "", resolvedBy: "" };

describe("reconciliation", () => {
  test("a repair is sent only after it is confirmed, with the finding and the reason", async () => {
    const onRepaired = vi.fn();
    const repaired = { ...FINDING, resolvedAt: "2026-11-30T09:00:00Z", resolution: "repaired", resolvedBy: "staff@example.com" };
    const club = answering({ loyaltyReconciliationRepair: { errors: [], finding: repaired, transaction: { id: "T1", points: 5 } } });
    const { container } = withSession(club, <table><tbody><FindingRow finding={FINDING} onRepaired={onRepaired} /></tbody></table>);
    type(container, "reason", "Lost row after restore");
    fireEvent.click(screen.getByRole("button", { name: "Repair" }));
    expect(calls(club)).toHaveLength(0);
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("button", { name: "Confirm repair" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Repair" }));
    fireEvent.click(screen.getByRole("button", { name: "Confirm repair" }));
    await waitFor(() => expect(onRepaired).toHaveBeenCalledWith(repaired));
    expect(calls(club)).toHaveLength(1);
    expect(calls(club)[0][0]).toContain("loyaltyReconciliationRepair");
    expect(calls(club)[0][1]).toEqual({ channel: "il", findingId: FINDING.id, reason: "Lost row after restore" });
  });

  test("a repair without a reason comes back under the reason", async () => {
    const onRepaired = vi.fn();
    const club = answering({ loyaltyReconciliationRepair: { ...error("reason", "A repair must say why."), finding: null, transaction: null } });
    const { container } = withSession(club, <table><tbody><FindingRow finding={FINDING} onRepaired={onRepaired} /></tbody></table>);
    fireEvent.click(screen.getByRole("button", { name: "Repair" }));
    fireEvent.click(screen.getByRole("button", { name: "Confirm repair" }));
    await waitFor(() => expect(fieldError(container, "reason")).toBe("A repair must say why."));
    expect(onRepaired).not.toHaveBeenCalled();
  });
});
