import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { Fetcher } from "../src/app/api";
import { App, viewOf } from "../src/app/App";
import { translator, type Lang } from "../src/app/i18n";
import { overviewQuery } from "../src/app/queries";
import { AdjustPointsForm } from "../src/app/screens/MemberForms";
import Members from "../src/app/screens/Members";
import Tiers, { tierInput } from "../src/app/screens/Tiers";
import { SessionContext, type Session } from "../src/app/session";

afterEach(cleanup);

function session(club: Fetcher, lang: Lang = "en", extra: Partial<Session> = {}): Session {
  return {
    token: "token", lang, theme: "light", params: new URLSearchParams(), club, saleor: null,
    channels: [], channel: "il", setChannel: () => undefined, t: translator(lang),
    notify: () => undefined, closePopup: () => undefined, resize: () => undefined, ...extra,
  };
}

const withSession = (s: Session, ui: React.ReactNode) => render(<SessionContext.Provider value={s}>{ui}</SessionContext.Provider>);

const GOLD = { id: "T2", position: 1, name: "Gold", he: { name: "זהב" }, en: null, entryThreshold: 2000, retainThreshold: 2000,
  benefits: { earnMultiplier: 1, discountPercent: 5, freeShipping: true, earlyAccess: false, birthdayPoints: 0, cashbackPercent: null } };

describe("routing and documents", () => {
  test("each Dashboard mount opens its own view", () => {
    expect(viewOf("/plugins/global/saleor.loyalty/app")).toBe("");
    expect(viewOf("/plugins/global/saleor.loyalty/app/")).toBe("");
    expect(viewOf("/plugins/global/saleor.loyalty/app/customer-widget")).toBe("customer-widget");
  });

  test("the overview asks for every tier's member count in one document", () => {
    const doc = overviewQuery(["T1", "T2"]);
    expect(doc).toContain('t0: members(channel: $channel, first: 1, filter: {tierId: "T1"})');
    expect(doc).toContain('t1: members(channel: $channel, first: 1, filter: {tierId: "T2"})');
    expect(doc).toContain("recoveryStats");
  });

  test("a tier's decimals travel as strings and an empty cashback is left out", () => {
    const input = tierInput({ name: "Gold", entryThreshold: "2000", retainThreshold: "1500", earnMultiplier: "1.5",
      discountPercent: "5", birthdayPoints: "100", cashbackPercent: "", freeShipping: true, earlyAccess: false });
    expect(input).toEqual({ name: "Gold", freeShipping: true, earlyAccess: false, entryThreshold: "2000",
      retainThreshold: "1500", earnMultiplier: "1.5", discountPercent: "5", birthdayPoints: 100 });
  });
});

describe("forms show the API's typed errors next to the field", () => {
  test("adjusting points without a reason puts the API's message under the reason", async () => {
    const club = vi.fn(async () => ({ loyaltyPointsAdjust: { errors: [{ field: "reason", message: "Give a reason.", code: "REQUIRED" }] } })) as unknown as Fetcher;
    const { container } = withSession(session(club), <AdjustPointsForm userId="VXNlcjox" />);
    fireEvent.change(container.querySelector("input[name=points]")!, { target: { value: "50" } });
    fireEvent.click(screen.getByRole("button", { name: "Adjust points" }));
    await waitFor(() => expect(container.querySelector("[data-field-error=reason]")?.textContent).toBe("Give a reason."));
    expect(container.querySelector("input[name=reason]")?.getAttribute("aria-invalid")).toBe("true");
    const [, vars] = (club as unknown as ReturnType<typeof vi.fn>).mock.calls[0];
    expect(vars).toMatchObject({ channel: "il", userId: "VXNlcjox", points: 50, reason: "" });
    expect(typeof vars.key).toBe("string");
  });

  test("a retried adjustment carries the same idempotency key; a new one after success gets a new key", async () => {
    const replies = [
      { loyaltyPointsAdjust: { errors: [{ field: null, message: "Try again.", code: "INVALID" }] } },
      { loyaltyPointsAdjust: { errors: [] } },
      { loyaltyPointsAdjust: { errors: [] } },
    ];
    const club = vi.fn(async () => replies.shift()) as unknown as Fetcher;
    const { container } = withSession(session(club), <AdjustPointsForm userId="VXNlcjox" />);
    const submit = async (n: number) => {
      fireEvent.change(container.querySelector("input[name=points]")!, { target: { value: "5" } });
      fireEvent.change(container.querySelector("input[name=reason]")!, { target: { value: "Late" } });
      await waitFor(() => expect(screen.getByRole("button", { name: "Adjust points" }).hasAttribute("disabled")).toBe(false));
      fireEvent.click(screen.getByRole("button", { name: "Adjust points" }));
      await waitFor(() => expect((club as unknown as ReturnType<typeof vi.fn>).mock.calls.length).toBe(n));
    };
    await submit(1);
    await submit(2);
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Saved"));
    await submit(3);
    const keys = (club as unknown as ReturnType<typeof vi.fn>).mock.calls.map(([, v]) => v.key);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[1]);
  });

  test("a bad threshold shows under that tier's entry threshold", async () => {
    const club = vi.fn(async (query: string) => query.includes("TierUpdate")
      ? { loyaltyTierUpdate: { errors: [{ field: "entryThreshold", message: "Gold's entry threshold must be above Regular's.", code: "INVALID" }] } }
      : { program: { tiers: [GOLD] } }) as unknown as Fetcher;
    const { container } = withSession(session(club), <Tiers />);
    await screen.findByTestId("tier-Gold");
    fireEvent.change(container.querySelector("[data-testid=tier-Gold] input[name=entryThreshold]")!, { target: { value: "0" } });
    fireEvent.click(within(screen.getByTestId("tier-Gold")).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(container.querySelector("[data-field-error=entryThreshold]")?.textContent).toContain("must be above"));
  });
});

describe("members", () => {
  test("the list shows a page and fetches the next one by its cursor", async () => {
    const page = (emails: string[], next: boolean) => ({ members: { totalCount: 3, pageInfo: { hasNextPage: next, endCursor: next ? "c2" : null },
      edges: emails.map((email) => ({ cursor: email, node: { email, userId: "VXNlcjox", points: { available: 1, pending: 0, lifetime: 1 }, tier: null } })) } });
    const club = vi.fn(async (query: string, vars: Record<string, unknown>) => query.includes("Program") ? { program: { tiers: [] } }
      : vars.after === "c2" ? page(["c@x"], false) : page(["a@x", "b@x"], true)) as unknown as Fetcher;
    withSession(session(club), <Members />);
    await screen.findByText("b@x");
    fireEvent.click(screen.getByRole("button", { name: "Next page" }));
    await screen.findByText("c@x");
    expect(screen.queryByText("a@x")).toBeNull();
  });

  test("a slow answer to the old filter never overwrites the answer to the new one", async () => {
    let releaseFirst: (v: unknown) => void = () => undefined;
    const page = (email: string) => ({ members: { totalCount: 1, pageInfo: { hasNextPage: false, endCursor: null },
      edges: [{ cursor: email, node: { email, userId: "VXNlcjox", points: { available: 1, pending: 0, lifetime: 1 }, tier: null } }] } });
    const club = vi.fn(async (query: string, vars: Record<string, { search?: string }>) => {
      if (query.includes("Program")) return { program: { tiers: [] } };
      if (!vars.filter.search) return new Promise((ok) => { releaseFirst = () => ok(page("everyone@x")); });
      return page("dana@x");
    }) as unknown as Fetcher;
    const { container } = withSession(session(club), <Members />);
    fireEvent.change(container.querySelector("input[name=search]")!, { target: { value: "dana" } });
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    await screen.findByText("dana@x");
    releaseFirst(undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByText("everyone@x")).toBeNull();
    expect(screen.getByText("dana@x")).toBeTruthy();
  });
});

describe("the shell", () => {
  test("in Hebrew the app is right to left and its tabs are Hebrew", async () => {
    const club = vi.fn(async () => new Promise(() => undefined)) as unknown as Fetcher;
    render(<App session={session(club, "he")} />);
    expect(document.documentElement.dir).toBe("rtl");
    expect(screen.getByRole("tab", { name: "חברים" })).toBeTruthy();
  });

  test("before the Dashboard's handshake there is no token and nothing is asked", () => {
    const club = vi.fn() as unknown as Fetcher;
    render(<App session={session(club, "en", { token: null })} />);
    expect(screen.getByText("Waiting for the Dashboard…")).toBeTruthy();
    expect(club).not.toHaveBeenCalled();
  });
});
