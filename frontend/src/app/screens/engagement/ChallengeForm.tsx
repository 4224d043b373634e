import { Box, Button } from "@saleor/macaw-ui";
import { useState } from "react";
import type { FieldError } from "../../api";
import { tierName, type Key } from "../../i18n";
import { CHALLENGE_CREATE, CHALLENGE_DELETE, CHALLENGE_UPDATE } from "../../queries";
import { useSession } from "../../session";
import { CheckField, FieldErrorText, SelectField, SubmitRow, TextField, useMutationForm } from "../../ui";
import { AreaField, PlainField } from "../fields";
import { intOrNull, textOrNull, type Challenge, type Choices, type Draft } from "./types";

const METRICS = ["PAID_ORDERS", "SPEND", "NEW_CATEGORY", "MONTHLY_STREAK", "ACTIONS"];
const WINDOWS = ["FIXED", "ROLLING"];
const TEXTS: Key[] = ["name", "nameHe"];
const LONG: Key[] = ["description", "descriptionHe"];

const firstOfMonth = () => { const d = new Date(); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-01`; };

export function challengeDraft(c?: Challenge): Draft {
  return {
    name: c?.name ?? "", nameHe: c?.nameHe ?? "", description: c?.description ?? "", descriptionHe: c?.descriptionHe ?? "",
    metric: c?.metric ?? "PAID_ORDERS", target: String(c?.target ?? 1), targetAmount: c?.targetAmount ? String(c.targetAmount.amount) : "",
    actionKind: c?.actionKind ?? "", window: c?.window ?? "FIXED", startsOn: c?.startsOn ?? firstOfMonth(), endsOn: c?.endsOn ?? "",
    windowDays: c?.windowDays == null ? "" : String(c.windowDays), rewardPoints: String(c?.rewardPoints ?? 0), badgeId: c?.badge?.id ?? "",
    isActive: c?.isActive ?? true,
  };
}

// The whole challenge in one input: what its metric and window do not use is sent as null, so a change of
// metric or window clears what belonged to the old one.
export function challengeInput(d: Draft, currency: string): Record<string, unknown> {
  const spend = d.metric === "SPEND", rolling = d.window === "ROLLING";
  return {
    name: String(d.name).trim(), nameHe: String(d.nameHe).trim(), description: String(d.description).trim(), descriptionHe: String(d.descriptionHe).trim(),
    metric: d.metric, target: intOrNull(d.target), targetAmount: spend && textOrNull(d.targetAmount) ? { amount: String(d.targetAmount).trim(), currency } : null,
    actionKind: d.metric === "ACTIONS" ? textOrNull(d.actionKind) : null, window: d.window, startsOn: textOrNull(d.startsOn),
    endsOn: rolling ? null : textOrNull(d.endsOn), windowDays: rolling ? intOrNull(d.windowDays) : null,
    rewardPoints: intOrNull(d.rewardPoints) ?? 0, badgeId: textOrNull(d.badgeId), isActive: Boolean(d.isActive),
  };
}

type Saved = { errors: FieldError[]; challenge: Challenge | null };

// Create (no `challenge`), edit, or archive a challenge. Archiving one that began keeps it for staff, without new progress.
export function ChallengeForm({ challenge, choices, onSaved }: { challenge?: Challenge; choices: Choices; onSaved: () => void }) {
  const { club, channel, t, lang } = useSession();
  const [draft, setDraft] = useState<Draft>(challengeDraft(challenge));
  const form = useMutationForm();
  const archive = useMutationForm();
  const set = (k: string) => (v: string | boolean) => setDraft({ ...draft, [k]: v });
  const text = (k: Key) => <TextField key={k} name={k} label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />;
  const number = (k: Key) => <TextField key={k} name={k} type="number" label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />;
  const save = () => form.submit(async () => {
    const input = challengeInput(draft, choices.currency);
    if (challenge) return (await club<{ loyaltyChallengeUpdate: Saved }>(CHALLENGE_UPDATE, { channel, id: challenge.id, input })).loyaltyChallengeUpdate;
    return (await club<{ loyaltyChallengeCreate: Saved }>(CHALLENGE_CREATE, { channel, input })).loyaltyChallengeCreate;
  }, () => { if (!challenge) setDraft(challengeDraft()); onSaved(); });
  return (
    <form data-testid={challenge ? `challenge-form-${challenge.id}` : "challenge-new"} aria-label={challenge?.name ?? t("addChallenge")}
      onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <div className="form-grid">
        {TEXTS.map(text)}
        <SelectField name="metric" label={t("metric")} value={String(draft.metric)} onChange={set("metric")} error={form.errors.metric}
          options={METRICS.map((m) => ({ value: m, label: t(`metric${m}` as Key) }))} />
        {number("target")}
        {draft.metric === "SPEND" ? <TextField name="targetAmount" type="number" label={`${t("targetAmount")} (${choices.currency})`} value={String(draft.targetAmount)} onChange={set("targetAmount")} error={form.errors.targetAmount} /> : null}
        {draft.metric === "ACTIONS" ? <SelectField name="actionKind" label={t("actionKind")} value={String(draft.actionKind)} onChange={set("actionKind")} error={form.errors.actionKind}
          options={[{ value: "", label: "—" }, ...choices.actions.map((a) => ({ value: a.key, label: lang === "he" && a.nameHe ? a.nameHe : a.nameEn }))]} /> : null}
        <SelectField name="window" label={t("window")} value={String(draft.window)} onChange={set("window")} error={form.errors.window}
          options={WINDOWS.map((w) => ({ value: w, label: t(`window${w}` as Key) }))} />
        <PlainField name="startsOn" label={t("startsOn")} value={String(draft.startsOn)} onChange={set("startsOn")} error={form.errors.startsOn} />
        {draft.window === "ROLLING" ? number("windowDays")
          : <PlainField name="endsOn" label={t("endsOn")} value={String(draft.endsOn)} onChange={set("endsOn")} error={form.errors.endsOn} />}
        {number("rewardPoints")}
        <SelectField name="badgeId" label={t("badge")} value={String(draft.badgeId)} onChange={set("badgeId")} error={form.errors.badgeId}
          options={[{ value: "", label: t("noBadge") }, ...choices.badges.map((b) => ({ value: b.id, label: tierName(b, lang) }))]} />
        <CheckField name="isActive" label={t("active")} checked={Boolean(draft.isActive)} onChange={set("isActive")} error={form.errors.isActive} />
        {LONG.map((k) => <AreaField key={k} name={k} label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
      </div>
      <Box display="flex" gap={3} alignItems="center">
        <SubmitRow busy={form.busy} saved={form.saved} label={challenge ? t("save") : t("addChallenge")} savedLabel={t("saved")} error={form.errors[""] ?? form.errors.id} />
        {challenge && !challenge.archivedAt ? <Button type="button" variant="error" marginTop={3} disabled={archive.busy} onClick={() => void archive.submit(
          async () => (await club<{ loyaltyChallengeDelete: { errors: FieldError[] } }>(CHALLENGE_DELETE, { channel, id: challenge.id })).loyaltyChallengeDelete,
          onSaved,
        )}>{t("archive")}</Button> : null}
      </Box>
      <FieldErrorText name="archive" error={archive.errors[""] ?? archive.errors.id} />
    </form>
  );
}
