import { useState } from "react";
import type { FieldError } from "../../api";
import type { Key } from "../../i18n";
import { ACTION_SETTINGS_UPDATE, REFERRAL_SETTINGS_UPDATE } from "../../staffQueries";
import { useSession } from "../../session";
import { AreaField } from "../fields";
import { CheckField, SelectField, SubmitRow, TextField, useMutationForm } from "../../ui";
import { intOrNull, textOrNull, type Draft, type Money } from "./types";

export type ReferralSettings = {
  enabled: boolean; referrerPoints: number; referrerReward: string; referrerCredit: Money | null; friendBenefit: string; friendPercent: number | null; friendAmount: Money | null;
  friendPoints: number; pendingDays: number; monthlyCap: number; minOrderTotal: Money; linkTemplate: string | null;
  holdAll: boolean; holdOrderTotalOver: Money | null; holdSharedAddress: boolean;
};
export type ActionSettings = { storefrontUrl: string; termsEn: string; termsHe: string; anniversaryPoints: number; anniversaryCredit: Money };

const BENEFITS = ["NONE", "VOUCHER_PERCENT", "VOUCHER_FIXED", "POINTS"];
const REWARDS = ["POINTS", "STORE_CREDIT"];
const REFERRAL_INTS: Key[] = ["referrerPoints", "friendPoints", "pendingDays", "monthlyCap"];
const REFERRAL_FLAGS: Key[] = ["enabled", "holdAll", "holdSharedAddress"];

const referralDraft = (s: ReferralSettings): Draft => ({
  enabled: s.enabled, referrerPoints: String(s.referrerPoints), referrerReward: s.referrerReward,
  referrerCredit: s.referrerCredit == null ? "" : String(s.referrerCredit.amount), friendBenefit: s.friendBenefit,
  friendValue: String(s.friendPercent ?? s.friendAmount?.amount ?? ""), friendPoints: String(s.friendPoints), pendingDays: String(s.pendingDays),
  monthlyCap: String(s.monthlyCap), minOrderTotal: String(s.minOrderTotal.amount), linkTemplate: s.linkTemplate ?? "",
  holdAll: s.holdAll, holdOrderTotalOver: s.holdOrderTotalOver == null ? "" : String(s.holdOrderTotalOver.amount), holdSharedAddress: s.holdSharedAddress,
});

// Every rule in one mutation; decimals go as strings (the API's Decimal), an emptied hold limit clears it.
// The referrer's credit goes only when given: the API refuses STORE_CREDIT without one, under that field.
export function referralInput(d: Draft): Record<string, unknown> {
  const input: Record<string, unknown> = {
    referrerReward: d.referrerReward, friendBenefit: d.friendBenefit, linkTemplate: String(d.linkTemplate).trim(),
  };
  const credit = textOrNull(d.referrerCredit);
  if (credit !== null) input.referrerCredit = credit;
  for (const k of REFERRAL_INTS) input[k] = intOrNull(d[k]);
  for (const k of REFERRAL_FLAGS) input[k] = Boolean(d[k]);
  const value = textOrNull(d.friendValue);
  if (value !== null) input.friendValue = value;
  input.minOrderTotal = textOrNull(d.minOrderTotal) ?? "0";
  const over = textOrNull(d.holdOrderTotalOver);
  if (over === null) input.clearHoldOrderTotalOver = true; else input.holdOrderTotalOver = over;
  return input;
}

export function ReferralSettingsForm({ settings, currency }: { settings: ReferralSettings; currency: string }) {
  const { club, channel, t } = useSession();
  const [draft, setDraft] = useState<Draft>(referralDraft(settings));
  const form = useMutationForm();
  const set = (k: string) => (v: string | boolean) => setDraft({ ...draft, [k]: v });
  const field = (k: Key, type: "text" | "number" = "number", label = t(k)) =>
    <TextField key={k} name={k} type={type} label={label} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />;
  return (
    <form data-testid="referral-settings" aria-label={t("referralSettings")} noValidate onSubmit={(e) => {
      e.preventDefault();
      void form.submit(async () => (await club<{ loyaltyReferralSettingsUpdate: { errors: FieldError[]; settings: ReferralSettings | null } }>(
        REFERRAL_SETTINGS_UPDATE, { channel, input: referralInput(draft) })).loyaltyReferralSettingsUpdate,
      (r) => { if (r.settings) setDraft(referralDraft(r.settings)); });
    }}>
      <div className="form-grid">
        {REFERRAL_FLAGS.map((k) => <CheckField key={k} name={k} label={t(k)} checked={Boolean(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
        <SelectField name="referrerReward" label={t("referrerReward")} value={String(draft.referrerReward)} onChange={set("referrerReward")} error={form.errors.referrerReward}
          options={REWARDS.map((r) => ({ value: r, label: t(`reward${r}` as Key) }))} />
        {field("referrerPoints")}
        {field("referrerCredit", "number", `${t("referrerCredit")} (${currency})`)}
        <SelectField name="friendBenefit" label={t("friendBenefit")} value={String(draft.friendBenefit)} onChange={set("friendBenefit")} error={form.errors.friendBenefit}
          options={BENEFITS.map((b) => ({ value: b, label: t(`benefit${b}` as Key) }))} />
        {field("friendValue")}
        {field("friendPoints")}
        {field("pendingDays")}
        {field("monthlyCap")}
        {field("minOrderTotal", "number", `${t("minOrderTotal")} (${currency})`)}
        {field("holdOrderTotalOver", "number", `${t("holdOrderTotalOver")} (${currency})`)}
        {field("linkTemplate", "text")}
      </div>
      <SubmitRow busy={form.busy} saved={form.saved} label={t("save")} savedLabel={t("saved")} error={form.errors[""] ?? form.errors.clearHoldOrderTotalOver} />
    </form>
  );
}

const actionSettingsDraft = (s: ActionSettings): Draft => ({
  storefrontUrl: s.storefrontUrl, termsEn: s.termsEn, termsHe: s.termsHe, anniversaryPoints: String(s.anniversaryPoints),
  anniversaryCredit: String(s.anniversaryCredit.amount),
});

export function actionSettingsInput(d: Draft, currency: string): Record<string, unknown> {
  return {
    storefrontUrl: String(d.storefrontUrl).trim(), termsEn: String(d.termsEn), termsHe: String(d.termsHe),
    anniversaryPoints: intOrNull(d.anniversaryPoints), anniversaryCredit: { amount: textOrNull(d.anniversaryCredit) ?? "0", currency },
  };
}

export function ActionSettingsForm({ settings, currency }: { settings: ActionSettings; currency: string }) {
  const { club, channel, t } = useSession();
  const [draft, setDraft] = useState<Draft>(actionSettingsDraft(settings));
  const form = useMutationForm();
  const set = (k: string) => (v: string | boolean) => setDraft({ ...draft, [k]: v });
  return (
    <form data-testid="action-settings" aria-label={t("actionSettings")} noValidate onSubmit={(e) => {
      e.preventDefault();
      void form.submit(async () => (await club<{ loyaltyActionSettingsUpdate: { errors: FieldError[]; settings: ActionSettings | null } }>(
        ACTION_SETTINGS_UPDATE, { channel, input: actionSettingsInput(draft, currency) })).loyaltyActionSettingsUpdate,
      (r) => { if (r.settings) setDraft(actionSettingsDraft(r.settings)); });
    }}>
      <div className="form-grid">
        <TextField name="storefrontUrl" label={t("storefrontUrl")} value={String(draft.storefrontUrl)} onChange={set("storefrontUrl")} error={form.errors.storefrontUrl} />
        <TextField name="anniversaryPoints" type="number" label={t("anniversaryPoints")} value={String(draft.anniversaryPoints)} onChange={set("anniversaryPoints")} error={form.errors.anniversaryPoints} />
        <TextField name="anniversaryCredit" type="number" label={`${t("anniversaryCredit")} (${currency})`} value={String(draft.anniversaryCredit)} onChange={set("anniversaryCredit")} error={form.errors.anniversaryCredit} />
        <AreaField name="termsEn" label={t("termsEn")} value={String(draft.termsEn)} onChange={set("termsEn")} error={form.errors.termsEn} />
        <AreaField name="termsHe" label={t("termsHe")} value={String(draft.termsHe)} onChange={set("termsHe")} error={form.errors.termsHe} />
      </div>
      <SubmitRow busy={form.busy} saved={form.saved} label={t("save")} savedLabel={t("saved")} error={form.errors[""]} />
    </form>
  );
}
