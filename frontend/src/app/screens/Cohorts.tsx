import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { formatMoney, formatPercent, yearWindow, type Lang } from "../i18n";
import { KPI_COHORTS } from "../staffQueries";
import { useSession } from "../session";
import { Card } from "../ui";

type Money = { amount: number; currency: string };
export type Cohort = {
  month: string; size: number; memberSize: number; ltv: Money | null;
  cells: { offset: number; month: string; customers: number; retention: number | null; revenue: Money; ltv: Money | null }[];
};

const monthLabel = (iso: string, lang: Lang) =>
  new Intl.DateTimeFormat(lang === "he" ? "he-IL" : "en-GB", { month: "short", year: "numeric", timeZone: "UTC" }).format(new Date(`${iso}T00:00:00Z`));

// Darker for a larger share; the text stays readable on the darkest cell.
export function shade(retention: number | null): string | undefined {
  if (retention == null) return undefined;
  return `rgba(91, 91, 214, ${(0.08 + 0.72 * Math.min(1, Math.max(0, retention))).toFixed(2)})`;
}

// Asked for only when staff open it: the overview's first paint keeps its two requests. Months that saw no
// first buyer are left out (the API answers every month of the period).
export function CohortCard() {
  const { club, channel, t, lang } = useSession();
  const [cohorts, setCohorts] = useState<Cohort[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const load = () => {
    setBusy(true);
    setError("");
    club<{ kpiCohorts: Cohort[] }>(KPI_COHORTS, { channel, ...yearWindow() })
      .then((d) => setCohorts(d.kpiCohorts.filter((c) => c.size > 0))).catch((e: Error) => setError(e.message)).finally(() => setBusy(false));
  };
  const width = cohorts ? Math.max(0, ...cohorts.map((c) => c.cells.length)) : 0;
  return (
    <Card title={t("cohortsTitle")} testId="cohorts">
      {cohorts == null ? <Button type="button" variant="secondary" disabled={busy} onClick={load}>{t("showCohorts")}</Button> : null}
      {error ? <Text role="alert" color="critical1">{error}</Text> : null}
      {cohorts && !cohorts.length ? <Text>{t("noneYet")}</Text> : null}
      {cohorts?.length ? (
        <Box overflowX="auto">
          <table className="table cohorts" data-testid="cohort-table">
            <thead><tr><th>{t("cohortMonth")}</th><th>{t("buyers")}</th><th>{t("ltv")}</th>
              {Array.from({ length: width }, (_, i) => <th key={i} className="num">+{i}</th>)}</tr></thead>
            <tbody>
              {cohorts.map((c) => (
                <tr key={c.month} data-month={c.month}>
                  <td>{monthLabel(c.month, lang)}</td>
                  <td className="num">{c.size}</td>
                  <td className="num">{c.ltv ? formatMoney(c.ltv.amount, c.ltv.currency, lang) : "—"}</td>
                  {Array.from({ length: width }, (_, i) => {
                    const cell = c.cells.find((x) => x.offset === i);
                    return <td key={i} className="num cell" data-offset={i} style={{ background: shade(cell?.retention ?? null) }}
                      title={cell ? `${cell.customers} · ${formatMoney(cell.revenue.amount, cell.revenue.currency, lang)}` : undefined}>
                      {cell ? formatPercent(cell.retention) : ""}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </Box>
      ) : null}
    </Card>
  );
}
