// The program, tiers and recovery screens: what they send, and the API's typed errors next to the field.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { Fetcher } from "../src/app/api";
import { translator, type Lang } from "../src/app/i18n";
import Recovery, { recoveryInput } from "../src/app/screens/Recovery";
import Settings from "../src/app/screens/Settings";
import Tiers from "../src/app/screens/Tiers";
import { SessionContext, type Session } from "../src/app/session";

afterEach(cleanup);

function session(club: Fetcher, lang: Lang = "en"): Session {
  return {
    token: "token", lang, theme: "light", params: new URLSearchParams(), club, saleor: null,
    channels: [], channel: "il", setChannel: () => undefined, t: translator(lang),
    notify: () => undefined, closePopup: () => undefined, resize: () => undefined,
  };
}
const withSession = (s: Session, ui: React.ReactNode) => render(<SessionContext.Provider value={s}>{ui}</SessionContext.Provider>);
type Mock = ReturnType<typeof vi.fn>;
const calls = (club: Fetcher) => (club as unknown as Mock).mock.calls as [string, Record<string, unknown>][];

const GOLD = { id: "T2", position: 1, name: "Gold", he: { name: "זהב" }, en: null, ar: null, ru: null, entryThreshold: 2000, retainThreshold: 2000,
  benefits: { earnMultiplier: 1, discountPercent: 5, freeShipping: true, earlyAccess: false, birthdayPoints: 0, cashbackPercent: null } };

describe("the tiers editor", () => {
  test("shows each language's name from translation() and saves one with loyaltyTierTranslate", async () => {
    const club = vi.fn(async (query: string) => query.includes("TierTranslate")
      ? { loyaltyTierTranslate: { errors: [], tier: { id: "T2" } } }
      : { program: { tiers: [GOLD] } }) as unknown as Fetcher;
    const { container } = withSession(session(club), <Tiers />);
    await screen.findByTestId("tier-Gold");
    const hebrew = container.querySelector<HTMLInputElement>("input[name=translation-HE]")!;
    expect(hebrew.value).toBe("זהב");
    fireEvent.change(container.querySelector("input[name=translation-EN]")!, { target: { value: "Gold (EN)" } });
    fireEvent.click(within(screen.getByTestId("translation-EN")).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(within(screen.getByTestId("translation-EN")).getByRole("status").textContent).toBe("Saved"));
    const [query, vars] = calls(club).find(([q]) => q.includes("TierTranslate"))!;
    expect(query).toContain("loyaltyTierTranslate");
    expect(vars).toEqual({ channel: "il", id: "T2", languageCode: "EN", name: "Gold (EN)" });
  });

  test("a translation the API refuses shows its message under that language only", async () => {
    const club = vi.fn(async (query: string) => query.includes("TierTranslate")
      ? { loyaltyTierTranslate: { errors: [{ field: "name", message: "Must be at most 64 characters.", code: "INVALID" }], tier: null } }
      : { program: { tiers: [GOLD] } }) as unknown as Fetcher;
    const { container } = withSession(session(club), <Tiers />);
    await screen.findByTestId("tier-Gold");
    fireEvent.change(container.querySelector("input[name=translation-HE]")!, { target: { value: "א".repeat(65) } });
    fireEvent.click(within(screen.getByTestId("translation-HE")).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(container.querySelector("[data-field-error=translation-HE]")?.textContent).toBe("Must be at most 64 characters."));
    expect(container.querySelector("[data-field-error=translation-EN]")).toBeNull();
    expect(container.querySelector("input[name=translation-HE]")?.getAttribute("aria-invalid")).toBe("true");
  });

  test("saving a tier sends no deprecated nameHe", async () => {
    const club = vi.fn(async (query: string) => query.includes("TierUpdate")
      ? { loyaltyTierUpdate: { errors: [] } } : { program: { tiers: [GOLD] } }) as unknown as Fetcher;
    withSession(session(club), <Tiers />);
    fireEvent.click(within(await screen.findByTestId("tier-Gold")).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(calls(club).some(([q]) => q.includes("TierUpdate"))).toBe(true));
    const [query, vars] = calls(club).find(([q]) => q.includes("TierUpdate"))!;
    expect(query).not.toContain("nameHe");
    expect(vars.input).not.toHaveProperty("nameHe");
  });
});

const PROGRAM = { channel: "il", currency: "ILS", timezone: "Asia/Jerusalem", isActive: true, includeTax: true, pendingDays: 14,
  expiryMonths: 12, expiryReminderDays: 30, maxAdjustmentPoints: 10000, tierGraceDays: 30, redeemMinPoints: 100, redeemStepPoints: 50,
  earnRate: "1", pointValue: { amount: 0.05, currency: "ILS" }, negativeBalancePolicy: "DEBT", cashbackPercent: "0", redeemMaxSharePercent: "50",
  tierBasis: "SPEND", tierWindow: "CALENDAR_YEAR", tiers: [] };

describe("program settings", () => {
  test("a bad value comes back as a typed error under its field, and the form keeps what was typed", async () => {
    const club = vi.fn(async (query: string) => query.includes("ProgramUpdate")
      ? { loyaltyProgramUpdate: { errors: [{ field: "pendingDays", message: "Must be from 0 to 365.", code: "INVALID" }], program: null } }
      : { program: PROGRAM }) as unknown as Fetcher;
    const { container } = withSession(session(club), <Settings />);
    await screen.findByRole("form", { name: "Program" });
    fireEvent.change(container.querySelector("input[name=pendingDays]")!, { target: { value: "999" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(container.querySelector("[data-field-error=pendingDays]")?.textContent).toBe("Must be from 0 to 365."));
    expect(container.querySelector<HTMLInputElement>("input[name=pendingDays]")!.value).toBe("999");
    expect(calls(club).find(([q]) => q.includes("ProgramUpdate"))![1].input).toMatchObject({ pendingDays: 999 });
  });
});

const SETTINGS = { recoveryEnabled: true, clubMessagesEnabled: true, senderName: "Bakery", senderEmail: "s@x.co.il", contactAddress: "Herzl 1",
  replyTo: "", restoreUrlTemplate: "https://x.co.il/r/{token}", abandonAfterMinutes: 60, lostAfterDays: 7, holdoutPercent: 10,
  lastStepDiscountPercent: 10, incentiveHours: 48, attributionDays: 7, country: "IL", timezone: "Asia/Jerusalem", defaultLanguage: "he",
  observeShabbat: true, steps: [{ afterMinutes: 60, medium: "EMAIL" }, { afterMinutes: 1440, medium: "EMAIL" }] };
const page = <N,>(nodes: N[], next: string | null) => ({ totalCount: 12, pageInfo: { hasNextPage: next !== null, endCursor: next }, edges: nodes.map((node, i) => ({ cursor: String(i), node })) });
const message = (id: string) => ({ id, category: "cart_reminder", medium: "EMAIL", recipient: `${id}@x`, status: "SENT", reason: "", subject: "s", createdAt: "2026-11-20T10:00:00+00:00" });

function recoveryClub(update: unknown = { loyaltyRecoverySettingsUpdate: { errors: [], settings: { channel: "il" } } }) {
  return vi.fn(async (query: string, vars: Record<string, unknown>) => {
    if (query.includes("RecoveryUpdate")) return update;
    if (query.includes("RecoveryPreview")) return { recoveryPreview: [
      { step: 0, medium: "EMAIL", language: "he", subject: "פרסומת: שכחת משהו?", text: "שלום", allowed: true, problems: [] },
      { step: 0, medium: "EMAIL", language: "en", subject: "Did you forget?", text: "Hello", allowed: false, problems: ["contact address missing"] },
    ] };
    if (query.includes("AbandonedCheckouts")) return { abandonedCheckouts: page([], null) };
    if (query.includes("MessageLog")) return { messageLog: vars.after === "c1" ? page([message("m11")], null) : page([message("m1"), message("m2")], "c1") };
    return { recoverySettings: SETTINGS, recoveryStats: null };
  }) as unknown as Fetcher;
}

describe("recovery and messaging", () => {
  test("steps travel as whole numbers with their medium, in the same mutation as the rest", () => {
    const input = recoveryInput({ recoveryEnabled: true, abandonAfterMinutes: "60", lastStepDiscountPercent: "10", incentiveHours: "48" },
      [{ afterMinutes: "60", medium: "EMAIL" }, { afterMinutes: "1440", medium: "SMS" }]);
    expect(input.steps).toEqual([{ afterMinutes: 60, medium: "EMAIL" }, { afterMinutes: 1440, medium: "SMS" }]);
    expect(input).toMatchObject({ recoveryEnabled: true, abandonAfterMinutes: 60, lastStepDiscountPercent: 10, incentiveHours: 48 });
  });

  test("adding a reminder step sends three steps; the API's step error shows under the steps", async () => {
    const club = recoveryClub({ loyaltyRecoverySettingsUpdate: { errors: [{ field: "steps", message: "Steps must come later and later.", code: "INVALID" }], settings: null } });
    const { container } = withSession(session(club), <Recovery />);
    await screen.findByTestId("steps");
    fireEvent.click(screen.getByRole("button", { name: "Add step" }));
    fireEvent.change(container.querySelector("input[name=step-2-afterMinutes]")!, { target: { value: "30" } });
    fireEvent.change(container.querySelector("select[name=step-2-medium]")!, { target: { value: "SMS" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(container.querySelector("[data-field-error=steps]")?.textContent).toBe("Steps must come later and later."));
    const [, vars] = calls(club).find(([q]) => q.includes("RecoveryUpdate"))!;
    expect((vars.input as { steps: unknown }).steps).toEqual([
      { afterMinutes: 60, medium: "EMAIL" }, { afterMinutes: 1440, medium: "EMAIL" }, { afterMinutes: 30, medium: "SMS" },
    ]);
  });

  test("each reminder's preview shows in its language and direction with the §30A verdict", async () => {
    withSession(session(recoveryClub()), <Recovery />);
    const hebrew = await screen.findByTestId("preview-0-he");
    expect(hebrew.querySelector("[dir=rtl]")?.textContent).toContain("פרסומת: שכחת משהו?");
    expect(hebrew.querySelector("[data-gate]")?.getAttribute("data-gate")).toBe("ok");
    const english = screen.getByTestId("preview-0-en");
    expect(english.querySelector("[data-gate]")?.textContent).toContain("contact address missing");
  });

  test("the message log pages by cursor, forward and back", async () => {
    const club = recoveryClub();
    withSession(session(club), <Recovery />);
    const log = await screen.findByTestId("message-log");
    await within(log).findByText("m2@x");
    fireEvent.click(within(log).getByRole("button", { name: "Next page" }));
    await within(log).findByText("m11@x");
    expect(within(log).queryByText("m1@x")).toBeNull();
    expect(calls(club).filter(([q]) => q.includes("MessageLog")).map(([, v]) => v.after)).toEqual([null, "c1"]);
    fireEvent.click(within(log).getByRole("button", { name: "Previous page" }));
    await within(log).findByText("m1@x");
  });
});
