import { Box, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import { Bar, BarChart, CartesianGrid, Cell, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMoney, monthWindow, tierName } from "../i18n";
import { OVERVIEW_TIERS, overviewQuery } from "../queries";
import { useSession } from "../session";
import { Card, Stat } from "../ui";

type Tier = { id: string; name: string; nameHe: string };
type Money = { amount: number; currency: string };
type Stats = { abandonedCount: number; abandonedValue: Money; remindedCount: number; recoveredCount: number; recoveredRevenue: Money; recoveryRate: number | null; unsubscribes: number };
type Data = { currency: string; total: number; mix: { name: string; count: number }[]; stats: Stats | null };

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
      const result = await club<Record<string, { totalCount: number } | Stats>>(overviewQuery(tiers.map((x) => x.id)), { channel, ...monthWindow() }, { partial: true });
      if (!live) return;
      setData({
        currency: program.currency,
        total: (result.all as { totalCount: number }).totalCount,
        mix: tiers.map((tier, i) => ({ name: tierName(tier, lang), count: (result[`t${i}`] as { totalCount: number }).totalCount })),
        stats: (result.recoveryStats as Stats) ?? null,
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
      <Text size={2} color="default2" data-testid="gap-note">{t("pointsFlowMissing")}</Text>
    </Box>
  );
}
