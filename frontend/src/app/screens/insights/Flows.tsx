import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";
import { formatMoney, formatPercent, type Key } from "../../i18n";
import { FLOWS } from "../../staffQueries";
import { useSession } from "../../session";
import { Card } from "../../ui";
import { FLOW_KINDS, FlowForm, type Flow } from "./FlowForm";
import { NpsSettingsForm, SegmentSettingsForm, type NpsSettings, type SegmentSettings } from "./SettingsForms";

type Money = { amount: number; currency: string };
export type FlowStats = {
  started: number; messaged: number; messagesSent: number; converted: number; revenue: Money; conversionRate: number | null;
  holdout: number; holdoutConverted: number; holdoutRate: number | null; lift: number | null;
};
type Data = { flows: Flow[] | null; segmentSettings: SegmentSettings | null; npsSettings: NpsSettings | null } & Record<string, unknown>;

export function statsWindow(now = new Date()) {
  return { since: new Date(now.getTime() - 90 * 86400_000).toISOString(), until: now.toISOString() };
}

// The flows, their 90-day results, the segment and NPS settings: one request when Insights opens, and again after a save.
export default function FlowsAndSettings() {
  const { club, channel, t } = useSession();
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState("");
  const [editing, setEditing] = useState("");
  const load = useCallback(() => {
    if (!channel) return;
    club<Data>(FLOWS, { channel, ...statsWindow() }, { partial: true })
      .then((d) => { setData(d); setEditing(""); }).catch((e: Error) => setError(e.message));
  }, [club, channel]);
  useEffect(load, [load]);
  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (!data) return <Text>{t("loading")}</Text>;
  const flows = data.flows ?? [];
  return (
    <>
      <Card title={t("flows")} testId="flows">
        <table className="table">
          <thead><tr><th>{t("flow")}</th><th>{t("state")}</th><th>{t("flowStarted")}</th><th>{t("flowMessaged")}</th><th>{t("converted")}</th>
            <th>{t("recoveredRevenue")}</th><th>{t("conversionRate")}</th><th>{t("holdout")}</th><th>{t("lift")}</th><th /></tr></thead>
          <tbody>
            {FLOW_KINDS.map((kind) => {
              const flow = flows.find((f) => f.kind === kind);
              if (!flow) return null;
              const stats = (data[`s${kind}`] as FlowStats | undefined) ?? null;
              return [
                <FlowRow key={kind} flow={flow} stats={stats} open={editing === kind} onToggle={() => setEditing(editing === kind ? "" : kind)} />,
                editing === kind ? <tr key={`${kind}-form`}><td colSpan={10}><FlowForm flow={flow} onSaved={load} /></td></tr> : null,
              ];
            })}
          </tbody>
        </table>
      </Card>
      <Box display="grid" gap={4} className="two-col">
        <Card title={t("segmentSettings")} testId="segment-settings">
          {data.segmentSettings ? <SegmentSettingsForm settings={data.segmentSettings} onSaved={load} /> : <Text>{t("noneYet")}</Text>}
        </Card>
        <Card title={t("npsSettings")} testId="nps-settings">
          {data.npsSettings ? <NpsSettingsForm settings={data.npsSettings} onSaved={load} /> : <Text>{t("noneYet")}</Text>}
        </Card>
      </Box>
    </>
  );
}

function FlowRow({ flow, stats, open, onToggle }: { flow: Flow; stats: FlowStats | null; open: boolean; onToggle: () => void }) {
  const { t, lang } = useSession();
  const s = stats;
  return (
    <tr data-testid={`flow-${flow.kind}`}>
      <td>{t(`flow${flow.kind}` as Key)}<Text size={1} color="default2" as="p">{flow.steps.map((x) => `+${x.afterDays}${t("daysShort")}`).join(" · ") || "—"}</Text></td>
      <td data-testid="flow-state">{flow.enabled ? t("enabled") : t("off")}</td>
      <td className="num">{s ? s.started : "—"}</td>
      <td className="num">{s ? s.messaged : "—"}</td>
      <td className="num">{s ? s.converted : "—"}</td>
      <td className="num">{s ? formatMoney(s.revenue.amount, s.revenue.currency, lang) : "—"}</td>
      <td className="num">{s ? formatPercent(s.conversionRate) : "—"}</td>
      <td className="num">{s ? `${s.holdout} · ${formatPercent(s.holdoutRate)}` : "—"}</td>
      <td className="num">{s ? formatPercent(s.lift) : "—"}</td>
      <td><Button type="button" size="small" variant="secondary" aria-expanded={open} onClick={onToggle}>{open ? t("close") : t("edit")}</Button></td>
    </tr>
  );
}
