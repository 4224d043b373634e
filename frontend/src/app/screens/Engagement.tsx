import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState, type ReactNode } from "react";
import type { FieldError } from "../api";
import { formatMoney, tierName, type Key, type Lang } from "../i18n";
import { ACTION_UPDATE, ENGAGEMENT } from "../queries";
import { ACTION_DELETE, challengeSummariesAndSettingsQuery, PLAN_DELETE } from "../staffQueries";
import { useSession } from "../session";
import { Card, CheckField, FieldErrorText, SelectField, TextField, useMutationForm } from "../ui";
import { ActionForm } from "./engagement/ActionForm";
import { BadgeForm, BadgeRow, type Badge } from "./engagement/Badges";
import { BulkGrantsHistory, type BulkGrant } from "./engagement/BulkGrantsHistory";
import { DeleteButton } from "./engagement/DeleteButton";
import { ActionSettingsForm, ReferralSettingsForm, type ActionSettings, type ReferralSettings } from "./engagement/SettingsForms";
import { ChallengeForm } from "./engagement/ChallengeForm";
import { BulkGrantForm } from "./engagement/BulkGrantForm";
import { PlanForm } from "./engagement/PlanForm";
import { ReferralRow, type Referral } from "./engagement/ReferralRow";
import type { Action, Challenge, Choices, Named, Plan } from "./engagement/types";

export type { Action, Referral };
export { ReferralRow };

type Summary = { completed: number; pointsAwarded: number; badgesAwarded: number; lastCompletedAt: string | null };
type Data = {
  actions: Action[]; challenges: Challenge[]; membershipPlans: Plan[]; badges?: Named[] | null;
  program?: { currency: string; tiers: Named[] } | null; referrals: { totalCount: number; edges: { node: Referral }[] };
};

// The settings, badges and grants' history: a second document, so a permission one lacks hides only its part.
type More = { referralSettings?: ReferralSettings | null; actionSettings?: ActionSettings | null; badges?: Badge[] | null; bulkGrants?: BulkGrant[] | null };

const STATUSES = ["", "HELD", "INVITED", "ORDERED", "REWARDED", "REJECTED", "REVERSED"];
const named = (x: { name: string; nameHe: string }, lang: Lang) => tierName(x, lang);

// A table row that opens its edit form in a full-width row right below it.
function Expandable({ row, form, open, span }: { row: ReactNode; form: ReactNode; open: boolean; span: number }) {
  return <>{row}{open ? <tr><td colSpan={span}>{form}</td></tr> : null}</>;
}

function EditButton({ open, onClick }: { open: boolean; onClick: () => void }) {
  const { t } = useSession();
  return <Button type="button" size="small" variant="secondary" aria-expanded={open} onClick={onClick}>{open ? t("close") : t("edit")}</Button>;
}

// Engagement: two club requests (the lists, then every challenge's summary and the settings in one aliased document).
export default function Engagement() {
  const { club, channel, t, lang } = useSession();
  const [data, setData] = useState<Data | null>(null);
  const [summaries, setSummaries] = useState<Record<string, Summary>>({});
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");
  const [editing, setEditing] = useState("");
  const [more, setMore] = useState<More>({});
  const load = useCallback(async () => {
    const d = await club<Data>(ENGAGEMENT, { channel, status: status || null }, { partial: true });
    setData(d);
    const ids = (d.challenges ?? []).map((c) => c.id);
    const s = await club<Record<string, Summary> & More>(challengeSummariesAndSettingsQuery(ids), { channel }, { partial: true });
    setSummaries(Object.fromEntries(ids.map((id, i) => [id, s[`s${i}`]])));
    setMore(s);
  }, [club, channel, status]);
  useEffect(() => {
    if (channel) load().catch((e: Error) => setError(e.message));
  }, [channel, load]);
  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (!data) return <Text>{t("loading")}</Text>;
  const reload = () => { setEditing(""); load().catch((e: Error) => setError(e.message)); };
  const toggle = (id: string) => () => setEditing(editing === id ? "" : id);
  const choices: Choices = { actions: data.actions ?? [], badges: more.badges ?? data.badges ?? [], tiers: data.program?.tiers ?? [], currency: data.program?.currency ?? "" };
  const currency = data.program?.currency ?? "";
  const dropAction = (key: string) => setData({ ...data, actions: data.actions.filter((a) => a.key !== key) });
  const putBadge = (b: Badge) => { setEditing(""); setMore({ ...more, badges: [...(more.badges ?? []).filter((x) => x.id !== b.id), b] }); };
  const replaceReferral = (r: Referral) => setData({ ...data, referrals: { ...data.referrals, edges: data.referrals.edges.map((e) => (e.node.id === r.id ? { node: r } : e)) } });
  return (
    <Box display="grid" gap={4} data-testid="engagement">
      <Card title={t("actions")} testId="actions">
        <table className="table"><tbody>
          {(data.actions ?? []).map((a) => <ActionRow key={a.key} action={a} onDeleted={() => dropAction(a.key)} />)}
        </tbody></table>
      </Card>
      <Card title={t("addAction")} testId="add-action">
        <ActionForm onSaved={(a) => setData({ ...data, actions: [...data.actions, a] })} />
      </Card>
      <Card title={t("challenges")} testId="challenges">
        {data.challenges?.length ? (
          <table className="table">
            <thead><tr><th>{t("name")}</th><th>{t("target")}</th><th>{t("points")}</th><th>{t("badge")}</th><th>{t("active")}</th><th>{t("completed")}</th><th>{t("pointsAwarded")}</th><th>{t("badgesAwarded")}</th><th /></tr></thead>
            <tbody>{data.challenges.map((c) => <Expandable key={c.id} span={9} open={editing === c.id}
              row={<ChallengeRow challenge={c} summary={summaries[c.id]} edit={<EditButton open={editing === c.id} onClick={toggle(c.id)} />} />}
              form={<ChallengeForm challenge={c} choices={choices} onSaved={reload} />} />)}</tbody>
          </table>
        ) : <Text>{t("noneYet")}</Text>}
      </Card>
      <Card title={t("addChallenge")} testId="add-challenge"><ChallengeForm choices={choices} onSaved={reload} /></Card>
      <Card title={t("plans")} testId="plans">
        {data.membershipPlans?.length ? (
          <table className="table">
            <thead><tr><th>{t("name")}</th><th>{t("term")}</th><th>{t("tier")}</th><th>{t("monthlyGiftPoints")}</th><th>{t("monthlyGiftCredit")}</th><th>{t("active")}</th><th /></tr></thead>
            <tbody>{data.membershipPlans.map((p) => <Expandable key={p.id} span={7} open={editing === p.id}
              row={<PlanRow plan={p} edit={<EditButton open={editing === p.id} onClick={toggle(p.id)} />} />}
              form={<><PlanForm plan={p} choices={choices} onSaved={reload} />
                <DeleteButton name={`plan-${p.id}`} onDeleted={reload} run={async () => (await club<{ loyaltyMembershipPlanDelete: { errors: FieldError[] } }>(PLAN_DELETE, { channel, id: p.id })).loyaltyMembershipPlanDelete} /></>} />)}</tbody>
          </table>
        ) : <Text>{t("noneYet")}</Text>}
      </Card>
      <Card title={t("addPlan")} testId="add-plan"><PlanForm choices={choices} onSaved={reload} /></Card>
      <Card title={t("badges")} testId="badges">
        {more.badges?.length ? (
          <table className="table">
            <thead><tr><th>{t("name")}</th><th>{t("description")}</th><th /></tr></thead>
            <tbody>{more.badges.map((b) => <Expandable key={b.id} span={3} open={editing === b.id}
              row={<BadgeRow badge={b} lang={lang} edit={<EditButton open={editing === b.id} onClick={toggle(b.id)} />} />}
              form={<BadgeForm badge={b} onSaved={putBadge} />} />)}</tbody>
          </table>
        ) : <Text>{t("noneYet")}</Text>}
      </Card>
      <Card title={t("addBadge")} testId="add-badge"><BadgeForm onSaved={putBadge} /></Card>
      <Card title={t("bulkGrant")} testId="bulk-grant-card"><BulkGrantForm choices={choices} onGranted={() => load().catch((e: Error) => setError(e.message))} /></Card>
      {more.bulkGrants ? <Card title={t("bulkGrants")} testId="bulk-grants-card"><BulkGrantsHistory grants={more.bulkGrants} /></Card> : null}
      {more.referralSettings ? <Card title={t("referralSettings")} testId="referral-settings-card"><ReferralSettingsForm settings={more.referralSettings} currency={currency} /></Card> : null}
      {more.actionSettings ? <Card title={t("actionSettings")} testId="action-settings-card"><ActionSettingsForm settings={more.actionSettings} currency={currency} /></Card> : null}
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
// "Edit" opens every other setting of the action (names, caps, pending days) in a form below the row.
export function ActionRow({ action, onDeleted }: { action: Action; onDeleted?: () => void }) {
  const { club, channel, t, lang } = useSession();
  const [saved, setSaved] = useState(action);
  const [enabled, setEnabled] = useState(action.isEnabled);
  const [points, setPoints] = useState(String(action.points));
  const [open, setOpen] = useState(false);
  const form = useMutationForm();
  const take = (a: Action) => { setSaved(a); setEnabled(a.isEnabled); setPoints(String(a.points)); };
  const save = () => form.submit(
    async () => (await club<{ loyaltyActionUpdate: { errors: FieldError[]; action: Action | null } }>(ACTION_UPDATE, {
      channel, key: action.key, input: { isEnabled: enabled, points: Number.parseInt(points, 10) },
    })).loyaltyActionUpdate,
    (r) => { if (r.action) take(r.action); },
  );
  const row = (
    <tr data-testid={`action-${action.key}`}>
      <td>{lang === "he" && saved.nameHe ? saved.nameHe : saved.nameEn}{saved.isBuiltin ? <Text size={1} color="default2"> · {t("builtin")}</Text> : null}</td>
      <td><CheckField name="isEnabled" label={t("enabled")} checked={enabled} onChange={setEnabled} error={form.errors.isEnabled} /></td>
      <td><TextField name="points" type="number" label={t("points")} value={points} onChange={setPoints} error={form.errors.points} /></td>
      <td>
        <Box display="flex" gap={2}>
          <Button type="button" size="small" variant="secondary" disabled={form.busy} onClick={() => void save()}>{t("save")}</Button>
          <EditButton open={open} onClick={() => setOpen(!open)} />
          {saved.isBuiltin || !onDeleted ? null : <DeleteButton name={`action-${action.key}`} onDeleted={onDeleted}
            run={async () => (await club<{ loyaltyActionDelete: { errors: FieldError[] } }>(ACTION_DELETE, { channel, key: action.key })).loyaltyActionDelete} />}
        </Box>
        {form.saved ? <Text size={2} color="success1" role="status" data-testid="saved"> {t("saved")}</Text> : null}
        <FieldErrorText name="form" error={form.errors[""] ?? form.errors.key} />
      </td>
    </tr>
  );
  return <Expandable row={row} open={open} span={4} form={<ActionForm key={JSON.stringify(saved)} action={saved} onSaved={(a) => { take(a); setOpen(false); }} />} />;
}

function ChallengeRow({ challenge: c, summary: s, edit }: { challenge: Challenge; summary?: Summary; edit: ReactNode }) {
  const { lang, t } = useSession();
  const target = c.targetAmount ? formatMoney(c.targetAmount.amount, c.targetAmount.currency, lang) : `${c.target} · ${t(`metric${c.metric}` as Key)}`;
  return (
    <tr data-testid={`challenge-${c.id}`}>
      <td>{named(c, lang)}</td><td>{target}</td><td className="num">{c.rewardPoints}</td><td>{c.badge ? named(c.badge, lang) : "—"}</td>
      <td>{c.archivedAt ? t("archived") : c.isActive ? "✓" : "—"}</td><td className="num">{s?.completed ?? "—"}</td><td className="num">{s?.pointsAwarded ?? "—"}</td>
      <td className="num">{s?.badgesAwarded ?? "—"}</td><td>{edit}</td>
    </tr>
  );
}

function PlanRow({ plan: p, edit }: { plan: Plan; edit: ReactNode }) {
  const { lang } = useSession();
  return (
    <tr data-testid={`plan-${p.id}`}><td>{p.name}</td><td>{p.term.toLowerCase()}</td><td>{named(p.tier, lang)}</td><td className="num">{p.monthlyGiftPoints}</td>
      <td className="num">{formatMoney(p.monthlyGiftCredit.amount, p.monthlyGiftCredit.currency, lang)}</td><td>{p.isActive ? "✓" : "—"}</td><td>{edit}</td></tr>
  );
}
