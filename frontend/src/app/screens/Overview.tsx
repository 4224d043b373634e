import { Box, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import { Bar, BarChart, CartesianGrid, Cell, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMoney, formatPercent, monthWindow, tierName, yearWindow } from "../i18n";
import { OVERVIEW_TIERS, overviewQuery } from "../queries";
import { useSession } from "../session";
import { Card, Stat } from "../ui";
import { CohortCard } from "./Cohorts";

type Tier = { id: string; name: string; nameHe: string };
type Money = { amount: number; currency: string };
type Stats = { abandonedCount: number; abandonedValue: Money; remindedCount: number; recoveredCount: number; recoveredRevenue: Money; recoveryRate: number | null; unsubscribes: number };
export type Kpis = {
  currency: string; membersCount: number; membersNew: number; membersActive: number; orders: number; repeatPurchaseRate: number | null;
  memberAov: Money | null; guestAov: Money | null;
  points: { issued: number; reversed: number; redeemed: number; expired: number; redemptionRate: number | null };
};
export type Liability = { outstandingPoints: number; total: Money; pointsValue: Money; buckets: { month: string | null; points: number; value: Money }[] };
type Data = { currency: string; total: number; mix: { name: string; count: number }[]; stats: Stats | null; kpis: Kpis | null; liability: Liability | null };

const COLORS = ["#8b8fa3", "#d4a017", "#5b5bd6", "#2f9e6e", "#c2410c"];

export default function Overview() {
  const { club, channel, t, lang } = useSession();
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    if (!channel) return;
    let live = true;
    (async () => {
      const { program } = await club<{ program: { currency: string; tiers: Tier[] } }>(OVERVIEW_TIERS, { channel });
      const tiers = program.tiers;
      const result = await club<Record<string, unknown>>(overviewQuery(tiers.map((x) => x.id)), { channel, ...monthWindow(), ...yearWindow() }, { partial: true });
      if (!live) return;
      setData({
        currency: program.currency,
        total: (result.all as { totalCount: number }).totalCount,
        mix: tiers.map((tier, i) => ({ name: tierName(tier, lang), count: (result[`t${i}`] as { totalCount: number }).totalCount })),
        stats: (result.recoveryStats as Stats) ?? null,
        kpis: (result.kpis as Kpis) ?? null,
        liability: (result.liability as Liability) ?? null,
      });
    })().catch((e: Error) => live && setError(e.message));
    return () => { live = false; };
  }, [club, channel, lang]);

  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (!data) return <Text>{t("loading")}</Text>;
  const s = data.stats;
  const funnel = s ? [
    { step: t("abandoned"), value: s.abandonedCount },
    { step: t("reminded"), value: s.remindedCount },
    { step: t("recovered"), value: s.recoveredCount },
  ] : [];
  return (
    <Box display="grid" gap={4} className="overview" data-testid="overview">
      <Box display="flex" gap={6} flexWrap="wrap">
        <Card><Stat testId="stat-members" label={t("membersCount")} value={data.total} /></Card>
        {s ? <Card><Stat label={t("recoveredRevenue")} value={formatMoney(s.recoveredRevenue.amount, s.recoveredRevenue.currency, lang)} /></Card> : null}
        {s ? <Card><Stat label={t("recoveryRate")} value={s.recoveryRate != null ? `${(s.recoveryRate * 100).toFixed(1)}%` : "—"} /></Card> : null}
        {s ? <Card><Stat label={t("unsubscribes")} value={s.unsubscribes} /></Card> : null}
      </Box>
      <Box display="grid" gap={4} className="two-col">
        <Card title={t("tierMix")} testId="tier-mix">
          <div style={{ width: "100%", height: 220 }} dir="ltr">
            <ResponsiveContainer>
              <PieChart>
                <Pie data={data.mix} dataKey="count" nameKey="name" innerRadius={50} outerRadius={90} isAnimationActive={false} label>
                  {data.mix.map((_, i) => <Cell key={i} fill={COLORS[i % COLORS.length]} />)}
                </Pie>
                <Tooltip />
              </PieChart>
            </ResponsiveContainer>
          </div>
          <ul className="legend">
            {data.mix.map((m, i) => <li key={m.name}><span style={{ background: COLORS[i % COLORS.length] }} />{m.name}: {m.count}</li>)}
          </ul>
        </Card>
        <Card title={t("funnel")} testId="funnel">
          <div style={{ width: "100%", height: 220 }} dir="ltr">
            <ResponsiveContainer>
              <BarChart data={funnel} layout="vertical" margin={{ left: 24 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis type="number" allowDecimals={false} />
                <YAxis type="category" dataKey="step" width={110} />
                <Tooltip />
                <Bar dataKey="value" fill="#5b5bd6" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </Card>
      </Box>
      {data.kpis ? <KpiSection kpis={data.kpis} /> : null}
      {data.liability ? <LiabilitySection liability={data.liability} /> : null}
      <CohortCard />
    </Box>
  );
}

function KpiSection({ kpis }: { kpis: Kpis }) {
  const { t, lang } = useSession();
  const money = (m: Money | null) => (m ? formatMoney(m.amount, m.currency, lang) : "—");
  const p = kpis.points;
  return (
    <Card title={t("kpisTitle")} testId="kpis">
      <Box display="flex" gap={6} flexWrap="wrap">
        <Stat testId="kpi-issued" label={t("pointsIssued")} value={p.issued} />
        <Stat testId="kpi-redeemed" label={t("pointsRedeemed")} value={p.redeemed} />
        <Stat testId="kpi-expired" label={t("pointsExpired")} value={p.expired} />
        <Stat testId="kpi-redemption-rate" label={t("redemptionRate")} value={formatPercent(p.redemptionRate)} />
      </Box>
      <Box display="flex" gap={6} flexWrap="wrap" marginTop={4}>
        <Stat testId="kpi-members" label={t("membersCount")} value={kpis.membersCount} />
        <Stat testId="kpi-new" label={t("membersNew")} value={kpis.membersNew} />
        <Stat testId="kpi-active" label={t("membersActive")} value={kpis.membersActive} />
        <Stat testId="kpi-repeat" label={t("repeatRate")} value={formatPercent(kpis.repeatPurchaseRate)} />
        <Stat testId="kpi-aov-members" label={t("aovMembers")} value={money(kpis.memberAov)} />
        <Stat testId="kpi-aov-guests" label={t("aovGuests")} value={money(kpis.guestAov)} />
      </Box>
    </Card>
  );
}

function LiabilitySection({ liability }: { liability: Liability }) {
  const { t, lang } = useSession();
  const rows = liability.buckets.map((b) => ({
    month: b.month ? new Intl.DateTimeFormat(lang === "he" ? "he-IL" : "en-GB", { month: "short", year: "2-digit" }).format(new Date(b.month)) : t("noExpiry"),
    value: b.value.amount, points: b.points,
  }));
  return (
    <Card title={t("liabilityTitle")} testId="liability">
      <Box display="flex" gap={6} flexWrap="wrap" marginBottom={3}>
        <Stat testId="liability-total" label={t("liabilityTotal")} value={formatMoney(liability.total.amount, liability.total.currency, lang)} />
        <Stat testId="liability-points" label={t("outstandingPoints")} value={liability.outstandingPoints} />
      </Box>
      <div style={{ width: "100%", height: 220 }} dir="ltr" data-testid="liability-chart">
        <ResponsiveContainer>
          <BarChart data={rows}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="month" />
            <YAxis />
            <Tooltip formatter={(v) => formatMoney(Number(v), liability.total.currency, lang)} />
            <Bar dataKey="value" name={t("byExpiryMonth")} fill="#2f9e6e" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <table className="table" data-testid="liability-table"><tbody>
        {rows.map((r, i) => <tr key={i}><td>{r.month}</td><td className="num">{r.points}</td><td className="num">{formatMoney(r.value, liability.total.currency, lang)}</td></tr>)}
      </tbody></table>
    </Card>
  );
}
