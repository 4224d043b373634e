// Insights' flows, segment and NPS settings, a saved segment's members and the Overview's cohort table: each
// form sends one mutation with exactly these variables, and a typed error stands under the field it names.
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { Fetcher } from "../src/app/api";
import { yearWindow } from "../src/app/i18n";
import { CohortCard, shade, type Cohort } from "../src/app/screens/Cohorts";
import FlowsAndSettings from "../src/app/screens/insights/Flows";
import { FlowForm, type Flow } from "../src/app/screens/insights/FlowForm";
import { SegmentMembers } from "../src/app/screens/insights/SegmentMembers";
import { NpsSettingsForm, SegmentSettingsForm } from "../src/app/screens/insights/SettingsForms";
import { withSession, answering, calls, type, fieldError, error } from "./forms";

afterEach(cleanup);

const ils = (amount: number) => ({ amount, currency: "ILS" });

const WINBACK: Flow = {
  kind: "WINBACK_AT_RISK", enabled: false, incentive: "NONE", incentivePoints: 0, voucherPercent: 0, voucherDays: 14, holdoutPercent: 10, attributionDays: 7,
  steps: [{ afterDays: 0, incentive: false, content: [{ language: "he", subject: "מתגעגעים", body: "חזרו אלינו" }] }],
};

describe("flows", () => {
  test("a flow is saved whole in one mutation: switch, incentive, holdout and every step with its languages", async () => {
    const saved = { ...WINBACK, enabled: true };
    const onSaved = vi.fn();
    const club = answering({ loyaltyFlowUpdate: { errors: [], flow: saved } });
    const { container } = withSession(club, <FlowForm flow={WINBACK} onSaved={onSaved} />);
    fireEvent.click(container.querySelector('[name="enabled"]')!);
    type(container, "incentive", "POINTS");
    type(container, "incentivePoints", "50");
    type(container, "holdoutPercent", "20");
    fireEvent.click(screen.getByRole("button", { name: "Add step" }));
    type(container, "steps.1.afterDays", "14");
    fireEvent.click(container.querySelector('[name="steps.1.incentive"]')!);
    type(container, "steps.1.en.subject", "We miss you");
    type(container, "steps.1.en.body", "Here are {incentive_points} points");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(saved));
    expect(calls(club)[0][0]).toContain("loyaltyFlowUpdate");
    expect(calls(club)[0][1]).toEqual({ channel: "il", kind: "WINBACK_AT_RISK", input: {
      enabled: true, incentive: "POINTS", incentivePoints: 50, voucherPercent: 0, voucherDays: 14, holdoutPercent: 20, attributionDays: 7,
      steps: [
        { afterDays: 0, incentive: false, content: [{ language: "he", subject: "מתגעגעים", body: "חזרו אלינו" }] },
        { afterDays: 14, incentive: true, content: [{ language: "en", subject: "We miss you", body: "Here are {incentive_points} points" }] },
      ],
    } });
  });

  test("a step delay that does not increase stands under that step's delay and nothing reads as saved", async () => {
    const onSaved = vi.fn();
    const club = answering({ loyaltyFlowUpdate: { ...error("steps.1.afterDays", "Step delays must increase."), flow: null } });
    const { container } = withSession(club, <FlowForm flow={WINBACK} onSaved={onSaved} />);
    fireEvent.click(screen.getByRole("button", { name: "Add step" }));
    type(container, "steps.1.afterDays", "0");
    type(container, "steps.1.he.subject", "עוד תזכורת");
    type(container, "steps.1.he.body", "עדיין מחכים");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(fieldError(container, "steps.1.afterDays")).toBe("Step delays must increase."));
    expect(onSaved).not.toHaveBeenCalled();
    expect(container.querySelector("[role=status]")).toBeNull();
  });

  test("the flows card lists each flow with its results beside the holdout, in one request, and opens a flow's form", async () => {
    const stats = { started: 40, messaged: 36, messagesSent: 60, converted: 9, revenue: ils(1800), conversionRate: 0.25, holdout: 4, holdoutConverted: 0, holdoutRate: 0, lift: 0.25 };
    const flows = ["WINBACK_AT_RISK", "WINBACK_LAPSED", "BIRTHDAY", "ANNIVERSARY"].map((kind) => ({ ...WINBACK, kind, steps: kind === "WINBACK_AT_RISK" ? WINBACK.steps : [] }));
    const club = vi.fn(async (doc: string) => (doc.includes("query Flows") ? {
      flows, sWINBACK_AT_RISK: stats, sWINBACK_LAPSED: null, sBIRTHDAY: null, sANNIVERSARY: null,
      segmentSettings: { newDays: 30, defaultIntervalDays: 90, minIntervalDays: 14, atRiskFactor: 1.5, lapsedFactor: 3, loyalMinOrders: 4 },
      npsSettings: { enabled: true, daysAfterOrder: 5 },
    } : {})) as unknown as Fetcher;
    withSession(club, <FlowsAndSettings />);
    const row = await screen.findByTestId("flow-WINBACK_AT_RISK");
    expect(row.textContent).toContain("Win-back: at risk");
    expect(row.textContent).toContain("36");
    expect(row.textContent).toContain("1,800.00");
    expect(row.textContent).toContain("4 · 0.0%");
    expect(row.textContent).toContain("25.0%");
    expect(calls(club).length).toBe(1);
    expect(Object.keys(calls(club)[0][1])).toEqual(["channel", "since", "until"]);
    fireEvent.click(row.querySelector("button")!);
    expect(screen.getByTestId("flow-form-WINBACK_AT_RISK")).toBeTruthy();
    expect((screen.getByTestId("segment-settings-form").querySelector('[name="atRiskFactor"]') as HTMLInputElement).value).toBe("1.5");
    expect((screen.getByTestId("nps-settings-form").querySelector('[name="daysAfterOrder"]') as HTMLInputElement).value).toBe("5");
  });
});

describe("segment and NPS settings", () => {
  const SETTINGS = { newDays: 30, defaultIntervalDays: 90, minIntervalDays: 14, atRiskFactor: 1.5, lapsedFactor: 3, loyalMinOrders: 4 };

  test("the segment defaults go in one mutation, factors as written decimals; a bad factor stands under it", async () => {
    const onSaved = vi.fn();
    const club = answering({ loyaltySegmentSettingsUpdate: { ...error("lapsedFactor", "Lapsed must come after at risk (a larger factor)."), settings: null } });
    const { container } = withSession(club, <SegmentSettingsForm settings={SETTINGS} onSaved={onSaved} />);
    type(container, "atRiskFactor", "2.25");
    type(container, "lapsedFactor", "2");
    type(container, "newDays", "45");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(fieldError(container, "lapsedFactor")).toBe("Lapsed must come after at risk (a larger factor)."));
    expect(calls(club)[0][1]).toEqual({ channel: "il", input: {
      newDays: 45, defaultIntervalDays: 90, minIntervalDays: 14, loyalMinOrders: 4, atRiskFactor: "2.25", lapsedFactor: "2",
    } });
    expect(onSaved).not.toHaveBeenCalled();
  });

  test("NPS settings start from what is saved and go in one mutation; a day out of range stands under it and nothing reloads", async () => {
    const onSaved = vi.fn();
    const club = vi.fn()
      .mockResolvedValueOnce({ loyaltyNpsSettingsUpdate: { ...error("daysAfterOrder", "Days after the order are 0 to 90."), settings: null } })
      .mockResolvedValueOnce({ loyaltyNpsSettingsUpdate: { errors: [], settings: { enabled: true, daysAfterOrder: 10 } } }) as unknown as Fetcher;
    const { container } = withSession(club, <NpsSettingsForm settings={{ enabled: false, daysAfterOrder: 7 }} onSaved={onSaved} />);
    expect((container.querySelector('[name="daysAfterOrder"]') as HTMLInputElement).value).toBe("7");
    type(container, "daysAfterOrder", "120");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(fieldError(container, "daysAfterOrder")).toBe("Days after the order are 0 to 90."));
    expect(calls(club)[0][1]).toEqual({ channel: "il", enabled: false, daysAfterOrder: 120 });
    expect(onSaved).not.toHaveBeenCalled();
    type(container, "daysAfterOrder", "10");
    fireEvent.click(container.querySelector('[name="enabled"]')!);
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls(club)[1][1]).toEqual({ channel: "il", enabled: true, daysAfterOrder: 10 });
  });
});

describe("a saved segment's members", () => {
  test("pages follow the cursor forward and step back to the previous one", async () => {
    const page = (email: string, next: boolean, cursor: string) => ({ savedSegmentMembers: { totalCount: 21, pageInfo: { hasNextPage: next, endCursor: cursor },
      edges: [{ cursor, node: { email, userId: "U1", points: { available: 120 }, tier: { id: "T1", name: "Gold", nameHe: "זהב" } } }] } });
    const club = vi.fn(async (_doc: string, vars: { after: string | null }) => (vars.after ? page("b@example.com", false, "c2") : page("a@example.com", true, "c1"))) as unknown as Fetcher;
    withSession(club, <SegmentMembers segmentId="S1" />);
    await screen.findByText("a@example.com");
    expect(calls(club)[0][1]).toEqual({ channel: "il", id: "S1", first: 20, after: null });
    fireEvent.click(screen.getByRole("button", { name: "Next page" }));
    await screen.findByText("b@example.com");
    expect(calls(club)[1][1]).toEqual({ channel: "il", id: "S1", first: 20, after: "c1" });
    expect(screen.queryByRole("button", { name: "Next page" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Previous page" }));
    await screen.findByText("a@example.com");
  });
});

describe("the cohort table", () => {
  const COHORTS: Cohort[] = [
    { month: "2026-10-01", size: 11, memberSize: 11, ltv: ils(320), cells: [
      { offset: 0, month: "2026-10-01", customers: 11, retention: 1, revenue: ils(3500), ltv: ils(318) },
      { offset: 1, month: "2026-11-01", customers: 2, retention: 0.18, revenue: ils(20), ltv: ils(320) }] },
    { month: "2026-11-01", size: 2, memberSize: 0, ltv: ils(100), cells: [{ offset: 0, month: "2026-11-01", customers: 2, retention: 1, revenue: ils(200), ltv: ils(100) }] },
  ];

  test("nothing is asked until staff open it; then one request shows each cohort's retention as shaded cells (empty months left out)", async () => {
    const club = answering({ kpiCohorts: [{ month: "2026-09-01", size: 0, memberSize: 0, ltv: null, cells: [] }, ...COHORTS] });
    withSession(club, <CohortCard />);
    expect(calls(club).length).toBe(0);
    fireEvent.click(screen.getByRole("button", { name: "Show the cohort table" }));
    const table = await screen.findByTestId("cohort-table");
    expect(calls(club)[0][0]).toContain("kpiCohorts");
    expect(calls(club)[0][1]).toEqual({ channel: "il", ...yearWindow() });
    const rows = table.querySelectorAll("tbody tr");
    expect([...rows].map((r) => r.getAttribute("data-month"))).toEqual(["2026-10-01", "2026-11-01"]);
    expect(rows[0].textContent).toContain("Oct 2026");
    const cell = rows[0].querySelector('[data-offset="1"]') as HTMLElement;
    expect(cell.textContent).toBe("18.0%");
    expect(cell.style.background).not.toBe("");
    expect((rows[1].querySelector('[data-offset="1"]') as HTMLElement).textContent).toBe("");
    expect(shade(1)).not.toBe(shade(0.18));
    expect(shade(null)).toBeUndefined();
  });
});
