import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";
import type { FieldError } from "../api";
import { formatDate, formatMoney, tierName, type Lang } from "../i18n";
import { ACTION_UPDATE, challengeSummariesQuery, ENGAGEMENT, REFERRAL_REVIEW } from "../queries";
import { useSession } from "../session";
import { Card, CheckField, FieldErrorText, SelectField, TextField, useMutationForm } from "../ui";

type Money = { amount: number; currency: string };
export type Action = {
  id: string; key: string; nameEn: string; nameHe: string; points: number; isBuiltin: boolean; isEnabled: boolean; pendingDays: number;
  caps: { perDay: number | null; perMonth: number | null; lifetime: number | null; oncePerObject: boolean };
};
type Named = { id: string; name: string; nameHe: string };
type Challenge = Named & { metric: string; target: number; targetAmount: Money | null; rewardPoints: number; isActive: boolean; startsOn: string; endsOn: string | null; badge: Named | null };
type Summary = { completed: number; pointsAwarded: number; badgesAwarded: number; lastCompletedAt: string | null };
type Plan = { id: string; name: string; term: string; isActive: boolean; monthlyGiftPoints: number; monthlyGiftCredit: Money; reminderDays: number; tier: Named };
export type Referral = {
  id: string; status: string; reasonCode: string | null; reason: string | null; rewardPoints: number; created: string; referrerEmail: string;
  friendEmail: string | null; orderNumber: string | null; orderTotal: Money | null; signals: string[]; reviewedBy: string | null;
};
type Data = { actions: Action[]; challenges: Challenge[]; membershipPlans: Plan[]; referrals: { totalCount: number; edges: { node: Referral }[] } };

const STATUSES = ["", "HELD", "INVITED", "ORDERED", "REWARDED", "REJECTED", "REVERSED"];
const named = (x: { name: string; nameHe: string }, lang: Lang) => tierName(x, lang);

// Engagement: two club requests (the lists, then every challenge's summary in one aliased document).
export default function Engagement() {
  const { club, channel, t } = useSession();
  const [data, setData] = useState<Data | null>(null);
  const [summaries, setSummaries] = useState<Record<string, Summary>>({});
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");
  const load = useCallback(async () => {
    const d = await club<Data>(ENGAGEMENT, { channel, status: status || null }, { partial: true });
    setData(d);
    const ids = (d.challenges ?? []).map((c) => c.id);
    if (ids.length) {
      const s = await club<Record<string, Summary>>(challengeSummariesQuery(ids), { channel }, { partial: true });
      setSummaries(Object.fromEntries(ids.map((id, i) => [id, s[`s${i}`]])));
    }
  }, [club, channel, status]);
  useEffect(() => {
    if (channel) load().catch((e: Error) => setError(e.message));
  }, [channel, load]);
  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (!data) return <Text>{t("loading")}</Text>;
  const replaceReferral = (r: Referral) => setData({ ...data, referrals: { ...data.referrals, edges: data.referrals.edges.map((e) => (e.node.id === r.id ? { node: r } : e)) } });
  return (
    <Box display="grid" gap={4} data-testid="engagement">
      <Card title={t("actions")} testId="actions">
        <table className="table"><tbody>
          {(data.actions ?? []).map((a) => <ActionRow key={a.key} action={a} />)}
        </tbody></table>
      </Card>
      <Card title={t("challenges")} testId="challenges">
        {data.challenges?.length ? (
          <table className="table">
            <thead><tr><th>{t("name")}</th><th>{t("target")}</th><th>{t("points")}</th><th>{t("badge")}</th><th>{t("active")}</th><th>{t("completed")}</th><th>{t("pointsAwarded")}</th><th>{t("badgesAwarded")}</th></tr></thead>
            <tbody>{data.challenges.map((c) => <ChallengeRow key={c.id} challenge={c} summary={summaries[c.id]} />)}</tbody>
          </table>
        ) : <Text>{t("noneYet")}</Text>}
      </Card>
      <Card title={t("plans")} testId="plans">
        {data.membershipPlans?.length ? (
          <table className="table">
            <thead><tr><th>{t("name")}</th><th>{t("term")}</th><th>{t("tier")}</th><th>{t("monthlyGiftPoints")}</th><th>{t("monthlyGiftCredit")}</th><th>{t("active")}</th></tr></thead>
            <tbody>{data.membershipPlans.map((p) => <PlanRow key={p.id} plan={p} />)}</tbody>
          </table>
        ) : <Text>{t("noneYet")}</Text>}
      </Card>
      <Card title={`${t("referrals")} (${data.referrals?.totalCount ?? 0})`} testId="referrals">
        <Box marginBottom={3} style={{ maxWidth: 220 }}>
          <SelectField name="status" label={t("status")} value={status} onChange={setStatus}
            options={STATUSES.map((s) => ({ value: s, label: s || t("allStatuses") }))} />
        </Box>
        {data.referrals?.edges.length ? (
          <table className="table">
            <thead><tr><th>{t("when")}</th><th>{t("referrer")}</th><th>{t("friend")}</th><th>{t("order")}</th><th>{t("status")}</th><th>{t("reason")}</th><th>{t("signals")}</th><th /></tr></thead>
            <tbody>{data.referrals.edges.map(({ node }) => <ReferralRow key={node.id} referral={node} onSaved={replaceReferral} />)}</tbody>
          </table>
        ) : <Text>{t("noneYet")}</Text>}
      </Card>
    </Box>
  );
}

// One row, one mutation: the switch and the points are sent together and saved together or not at all.
export function ActionRow({ action }: { action: Action }) {
  const { club, channel, t, lang } = useSession();
  const [saved, setSaved] = useState(action);
  const [enabled, setEnabled] = useState(action.isEnabled);
  const [points, setPoints] = useState(String(action.points));
  const form = useMutationForm();
  const save = () => form.submit(
    async () => (await club<{ loyaltyActionUpdate: { errors: FieldError[]; action: Action | null } }>(ACTION_UPDATE, {
      channel, key: action.key, input: { isEnabled: enabled, points: Number.parseInt(points, 10) },
    })).loyaltyActionUpdate,
    (r) => { if (r.action) { setSaved(r.action); setEnabled(r.action.isEnabled); setPoints(String(r.action.points)); } },
  );
  return (
    <tr data-testid={`action-${action.key}`}>
      <td>{lang === "he" ? saved.nameHe : saved.nameEn}{saved.isBuiltin ? <Text size={1} color="default2"> · {t("builtin")}</Text> : null}</td>
      <td><CheckField name="isEnabled" label={t("enabled")} checked={enabled} onChange={setEnabled} error={form.errors.isEnabled} /></td>
      <td><TextField name="points" type="number" label={t("points")} value={points} onChange={setPoints} error={form.errors.points} /></td>
      <td>
        <Button type="button" size="small" variant="secondary" disabled={form.busy} onClick={() => void save()}>{t("save")}</Button>
        {form.saved ? <Text size={2} color="success1" role="status" data-testid="saved"> {t("saved")}</Text> : null}
        <FieldErrorText name="form" error={form.errors[""] ?? form.errors.key} />
      </td>
    </tr>
  );
}

function ChallengeRow({ challenge: c, summary: s }: { challenge: Challenge; summary?: Summary }) {
  const { lang } = useSession();
  const target = c.targetAmount ? formatMoney(c.targetAmount.amount, c.targetAmount.currency, lang) : `${c.target} · ${c.metric.toLowerCase()}`;
  return (
    <tr data-testid={`challenge-${c.id}`}>
      <td>{named(c, lang)}</td><td>{target}</td><td className="num">{c.rewardPoints}</td><td>{c.badge ? named(c.badge, lang) : "—"}</td>
      <td>{c.isActive ? "✓" : "—"}</td><td className="num">{s?.completed ?? "—"}</td><td className="num">{s?.pointsAwarded ?? "—"}</td>
      <td className="num">{s?.badgesAwarded ?? "—"}</td>
    </tr>
  );
}

function PlanRow({ plan: p }: { plan: Plan }) {
  const { lang } = useSession();
  return (
    <tr><td>{p.name}</td><td>{p.term.toLowerCase()}</td><td>{named(p.tier, lang)}</td><td className="num">{p.monthlyGiftPoints}</td>
      <td className="num">{formatMoney(p.monthlyGiftCredit.amount, p.monthlyGiftCredit.currency, lang)}</td><td>{p.isActive ? "✓" : "—"}</td></tr>
  );
}

// A held referral is approved or rejected (with a reason) in one mutation; its errors stand in the row.
export function ReferralRow({ referral: r, onSaved }: { referral: Referral; onSaved: (r: Referral) => void }) {
  const { club, channel, t, lang } = useSession();
  const [reason, setReason] = useState("");
  const form = useMutationForm();
  const review = (approve: boolean) => form.submit(
    async () => (await club<{ loyaltyReferralReview: { errors: FieldError[]; referral: Referral | null } }>(REFERRAL_REVIEW, {
      channel, id: r.id, approve, reason: reason || null,
    })).loyaltyReferralReview,
    (result) => result.referral && onSaved(result.referral),
  );
  return (
    <tr data-testid={`referral-${r.id}`}>
      <td>{formatDate(r.created, lang)}</td><td>{r.referrerEmail}</td><td>{r.friendEmail ?? "—"}</td>
      <td>{r.orderNumber ? `#${r.orderNumber}${r.orderTotal ? ` · ${formatMoney(r.orderTotal.amount, r.orderTotal.currency, lang)}` : ""}` : "—"}</td>
      <td>{r.status}</td><td>{r.reason ?? "—"}</td><td>{r.signals.join(", ") || "—"}</td>
      <td>
        {r.status === "HELD" ? (
          <Box display="grid" gap={2}>
            <TextField name="reason" label={t("rejectReason")} value={reason} onChange={setReason} error={form.errors.reason} />
            <Box display="flex" gap={2}>
              <Button type="button" size="small" variant="primary" disabled={form.busy} onClick={() => void review(true)}>{t("approve")}</Button>
              <Button type="button" size="small" variant="error" disabled={form.busy} onClick={() => void review(false)}>{t("reject")}</Button>
            </Box>
            <FieldErrorText name="form" error={form.errors[""] ?? form.errors.id} />
          </Box>
        ) : r.reviewedBy ? <Text size={2} color="default2">{r.reviewedBy}</Text> : null}
      </td>
    </tr>
  );
}
