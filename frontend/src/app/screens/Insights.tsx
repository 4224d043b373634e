import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { ApiError } from "../api";
import { formatDate, formatMoney, formatPercent, type Key } from "../i18n";
import { INSIGHTS, RULE_BACKTEST } from "../queries";
import { useSession } from "../session";
import { Card, Stat, SubmitRow, TextField } from "../ui";
import { CampaignActions } from "./insights/CampaignActions";
import { CampaignForm } from "./insights/CampaignForm";
import { ConsentCard } from "./insights/ConsentForms";
import FlowsAndSettings from "./insights/Flows";
import { SegmentMembers } from "./insights/SegmentMembers";
import { SegmentForm } from "./insights/SegmentForm";
import type { CampaignSettings, InsightChoices, Named } from "./insights/types";

type Money = { amount: number; currency: string };
type Rate = { rate: number | null };
type Group = { key: string; recipients: number; sent: number; opened?: number; clicked?: number; complaints: number; bounces: number; converted: number; ordered: number; revenue: Money; conversionRate: Rate; orderedRate: Rate };
export type Campaign = CampaignSettings & { startedAt: string | null; finishedAt: string | null;
  results: { metric: string; winner: string | null; winnerP: number | null; lift: number | null; holdout: Group; variants: Group[] } };
type Nps = { key: string; responses: number; promoters: number; passives: number; detractors: number; nps: number | null };
type Data = {
  segmentSizes: { day: string; segment: string; size: number }[] | null;
  savedSegments: { id: string; name: string; filters: string; updatedAt: string }[] | null;
  program?: { currency: string; tiers: Named[] } | null;
  campaigns: { totalCount: number; edges: { node: Campaign }[] } | null;
  npsReport: { overall: Nps; byTier: Nps[] } | null;
  npsDetractors: { totalCount: number; edges: { node: { id: string; orderNumber: string; email: string; score: number; comment: string; tier: string; answeredAt: string } }[] } | null;
};
type Scenario = { orders: number; pointsIssued: number; pointsReversed: number; netPoints: number; pointsValue: Money; cashback: Money; liabilityChange: Money; expectedCost: Money };
export type Backtest = { currency: string; since: string; until: string; breakageRate: number | null; recordedPoints: number; current: Scenario; proposed: Scenario };

const SEGMENTS = ["NEW", "ONE_TIME", "REPEAT", "LOYAL", "AT_RISK", "LAPSED"];
const day = (d: Date) => d.toISOString().slice(0, 10);

export function insightsWindow(now = new Date()) {
  return {
    day0: day(new Date(now.getTime() - 30 * 86400_000)), day1: day(now),
    since: new Date(now.getTime() - 90 * 86400_000).toISOString(), until: now.toISOString(),
  };
}

// The latest night's size of each segment (the API answers one row per segment and night).
export function latestSizes(rows: { day: string; segment: string; size: number }[]): { segment: string; size: number | null; day: string | null }[] {
  const last = rows.reduce((m, r) => (r.day > m ? r.day : m), "");
  return SEGMENTS.map((segment) => {
    const row = rows.find((r) => r.day === last && r.segment === segment);
    return { segment, size: row ? row.size : null, day: row ? row.day : null };
  });
}

// Insights: one club request on open (and again after a form saves); the backtest is one more per run.
export default function Insights() {
  const { club, channel, t, lang } = useSession();
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState("");
  const [editing, setEditing] = useState("");
  const [version, setVersion] = useState(0);
  const load = useCallback(() => {
    if (!channel) return;
    club<Data>(INSIGHTS, { channel, ...insightsWindow() }, { partial: true })
      .then((d) => { setData(d); setEditing(""); setVersion((v) => v + 1); }).catch((e: Error) => setError(e.message));
  }, [club, channel]);
  useEffect(load, [load]);
  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (!data) return <Text>{t("loading")}</Text>;
  const choices: InsightChoices = { tiers: data.program?.tiers ?? [], savedSegments: data.savedSegments ?? [] };
  const toggle = (id: string) => <EditToggle open={editing === id} onClick={() => setEditing(editing === id ? "" : id)} />;
  const sizes = latestSizes(data.segmentSizes ?? []);
  const nps = data.npsReport;
  return (
    <Box display="grid" gap={4} data-testid="insights">
      <Box display="grid" gap={4} className="two-col">
        <Card title={t("segments")} testId="segments">
          <table className="table"><tbody>
            {sizes.map((s) => <tr key={s.segment}><td>{t(`seg${s.segment}` as Key)}</td><td className="num">{s.size ?? "—"}</td></tr>)}
          </tbody></table>
          <Text size={2} color="default2">{t("lastNight")}: {sizes.find((s) => s.day)?.day ? formatDate(sizes.find((s) => s.day)!.day, lang) : "—"}</Text>
        </Card>
        <Card title={t("savedSegments")} testId="saved-segments">
          {data.savedSegments?.length ? (
            <table className="table"><tbody>
              {data.savedSegments.map((s) => [
                <tr key={s.id} data-testid={`segment-${s.id}`}><td>{s.name}</td><td><code>{s.filters}</code></td><td>{formatDate(s.updatedAt, lang)}</td>
                  <td><Box display="flex" gap={2}>{toggle(s.id)}<MembersToggle open={editing === `members-${s.id}`} onClick={() => setEditing(editing === `members-${s.id}` ? "" : `members-${s.id}`)} /></Box></td></tr>,
                editing === s.id ? <tr key={`${s.id}-form`}><td colSpan={4}><SegmentForm segment={s} choices={choices} onSaved={load} /></td></tr> : null,
                editing === `members-${s.id}` ? <tr key={`${s.id}-members`}><td colSpan={4}><SegmentMembers segmentId={s.id} /></td></tr> : null,
              ])}
            </tbody></table>
          ) : <Text>{t("noneYet")}</Text>}
          <Box marginTop={4}><Text as="h3" size={4} fontWeight="bold">{t("newSegment")}</Text><SegmentForm key={`new-${version}`} choices={choices} onSaved={load} /></Box>
        </Card>
      </Box>
      <FlowsAndSettings />
      <Card title={`${t("campaigns")} (${data.campaigns?.totalCount ?? 0})`} testId="campaigns">
        {data.campaigns?.edges.length ? data.campaigns.edges.map(({ node }) => (
          <Box key={node.id} marginBottom={4}>
            <CampaignResults campaign={node} />
            <Box display="flex" gap={2} alignItems="flex-end" flexWrap="wrap">
              <CampaignActions campaign={node} onDone={load} />
              {node.status === "DRAFT" ? toggle(node.id) : null}
            </Box>
            {editing === node.id ? <CampaignForm campaign={node} choices={choices} onSaved={load} /> : null}
          </Box>
        )) : <Text>{t("noneYet")}</Text>}
      </Card>
      <Card title={t("newCampaign")} testId="new-campaign"><CampaignForm key={`new-${version}`} choices={choices} onSaved={load} /></Card>
      <Box display="grid" gap={4} className="two-col">
        <Card title={t("npsReport")} testId="nps">
          {nps ? (
            <>
              <Box display="flex" gap={6} flexWrap="wrap">
                <Stat testId="nps-score" label="NPS" value={nps.overall.nps == null ? "—" : nps.overall.nps.toFixed(0)} />
                <Stat label={t("responses")} value={nps.overall.responses} />
                <Stat label={t("promoters")} value={nps.overall.promoters} />
                <Stat label={t("detractors")} value={nps.overall.detractors} />
              </Box>
              <table className="table"><tbody>
                {nps.byTier.map((b) => <tr key={b.key}><td>{b.key}</td><td className="num">{b.responses}</td><td className="num">{b.nps == null ? "—" : b.nps.toFixed(0)}</td></tr>)}
              </tbody></table>
            </>
          ) : <Text>{t("noneYet")}</Text>}
        </Card>
        <Card title={`${t("detractors")} (${data.npsDetractors?.totalCount ?? 0})`} testId="detractors">
          {data.npsDetractors?.edges.length ? (
            <table className="table"><tbody>
              {data.npsDetractors.edges.map(({ node: d }) => <tr key={d.id}><td>{formatDate(d.answeredAt, lang)}</td><td>#{d.orderNumber}</td><td>{d.email}</td><td className="num">{d.score}</td><td>{d.comment}</td></tr>)}
            </tbody></table>
          ) : <Text>{t("noneYet")}</Text>}
        </Card>
      </Box>
      <BacktestForm />
      <ConsentCard />
    </Box>
  );
}

function EditToggle({ open, onClick }: { open: boolean; onClick: () => void }) {
  const { t } = useSession();
  return <Button type="button" size="small" variant="secondary" aria-expanded={open} onClick={onClick}>{open ? t("close") : t("edit")}</Button>;
}

function MembersToggle({ open, onClick }: { open: boolean; onClick: () => void }) {
  const { t } = useSession();
  return <Button type="button" size="small" variant="secondary" aria-expanded={open} onClick={onClick}>{open ? t("close") : t("segmentMembers")}</Button>;
}

export function CampaignResults({ campaign: c }: { campaign: Campaign }) {
  const { t, lang } = useSession();
  const row = (g: Group, label: string, winner: boolean) => (
    <tr key={label} data-winner={winner || undefined}>
      <td>{label}{winner ? <Text size={2} color="success1" data-testid="winner"> ★ {t("winner")}</Text> : null}</td>
      <td className="num">{g.recipients}</td><td className="num">{g.sent}</td>
      <td className="num" data-testid="complaints">{g.complaints}</td><td className="num" data-testid="bounces">{g.bounces}</td><td className="num">{g.converted}</td>
      <td className="num">{formatPercent(g.conversionRate.rate)}</td><td className="num">{formatPercent(g.orderedRate.rate)}</td>
      <td className="num">{formatMoney(g.revenue.amount, g.revenue.currency, lang)}</td>
    </tr>
  );
  return (
    <Box marginBottom={4} data-testid={`campaign-${c.id}`}>
      <Text as="h3" size={4} fontWeight="bold">{c.name} · {t(c.medium === "SMS" ? "mediumSMS" : "mediumEMAIL")} · {c.status.toLowerCase()}{c.startedAt ? ` · ${formatDate(c.startedAt, lang)}` : c.scheduledAt ? ` · ${t("scheduledAt")} ${formatDate(c.scheduledAt, lang)}` : ""}</Text>
      <table className="table">
        <thead><tr><th>{t("variant")}</th><th>{t("recipients")}</th><th>{t("sent")}</th><th>{t("complaints")}</th><th>{t("bounces")}</th><th>{t("converted")}</th><th>{t("conversionRate")}</th><th>{t("ordersCount")}</th><th>{t("recoveredRevenue")}</th></tr></thead>
        <tbody>
          {c.results.variants.map((v) => row(v, v.key, c.results.winner === v.key))}
          {c.holdoutPercent > 0 ? row(c.results.holdout, t("holdout"), false) : null}
        </tbody>
      </table>
    </Box>
  );
}

const SIDE: [Key, (s: Scenario, lang: "en" | "he") => string][] = [
  ["ordersCount", (s) => String(s.orders)],
  ["pointsIssued", (s) => String(s.pointsIssued)],
  ["netPoints", (s) => String(s.netPoints)],
  ["pointsValueShort", (s, l) => formatMoney(s.pointsValue.amount, s.pointsValue.currency, l)],
  ["cashback", (s, l) => formatMoney(s.cashback.amount, s.cashback.currency, l)],
  ["cost", (s, l) => formatMoney(s.expectedCost.amount, s.expectedCost.currency, l)],
  ["liabilityChange", (s, l) => formatMoney(s.liabilityChange.amount, s.liabilityChange.currency, l)],
];

// The backtest writes nothing; a bad rate comes back as a typed error naming its field.
export function BacktestForm() {
  const { club, channel, t, lang } = useSession();
  const [draft, setDraft] = useState({ earnRate: "", pointValue: "", months: "12" });
  const [result, setResult] = useState<Backtest | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const run = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    const input: Record<string, string> = {};
    if (draft.earnRate.trim()) input.earnRate = draft.earnRate.trim();
    if (draft.pointValue.trim()) input.pointValue = draft.pointValue.trim();
    try {
      const r = await club<{ ruleBacktest: Backtest }>(RULE_BACKTEST, { channel, months: Number.parseInt(draft.months, 10), input });
      setResult(r.ruleBacktest);
    } catch (err) {
      setResult(null);
      const field = err instanceof ApiError && err.field ? err.field : "";
      setErrors({ [field]: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const set = (k: keyof typeof draft) => (v: string) => setDraft({ ...draft, [k]: v });
  return (
    <Card title={t("backtest")} testId="backtest">
      <form aria-label={t("backtest")} onSubmit={(e) => void run(e)}>
        <div className="form-grid">
          <TextField name="earnRate" label={t("earnRate")} value={draft.earnRate} onChange={set("earnRate")} error={errors.earnRate} />
          <TextField name="pointValue" label={t("pointValue")} value={draft.pointValue} onChange={set("pointValue")} error={errors.pointValue} />
          <TextField name="months" type="number" label={t("months")} value={draft.months} onChange={set("months")} error={errors.months} />
        </div>
        <SubmitRow busy={busy} saved={false} label={t("run")} savedLabel="" error={errors[""] ?? errors.input ?? errors.channel} />
      </form>
      {result ? (
        <table className="table" data-testid="backtest-result">
          <thead><tr><th /><th>{t("current")}</th><th>{t("proposed")}</th></tr></thead>
          <tbody>
            {SIDE.map(([key, show]) => <tr key={key} data-row={key}><td>{t(key)}</td><td className="num">{show(result.current, lang)}</td><td className="num">{show(result.proposed, lang)}</td></tr>)}
          </tbody>
        </table>
      ) : null}
    </Card>
  );
}
