import { useState } from "react";
import type { FieldError } from "../../api";
import { tierName, type Key } from "../../i18n";
import { PLAN_SET } from "../../queries";
import { useSession } from "../../session";
import { CheckField, SelectField, SubmitRow, TextField, useMutationForm } from "../../ui";
import { intOrNull, textOrNull, type Choices, type Draft, type Plan } from "./types";

const planDraft = (p?: Plan): Draft => ({
  variantId: p?.variantId ?? "", name: p?.name ?? "", term: p?.term ?? "MONTHLY", tier: p?.tier.id ?? "",
  monthlyGiftPoints: String(p?.monthlyGiftPoints ?? 0), monthlyGiftCredit: String(p?.monthlyGiftCredit.amount ?? 0),
  reminderDays: String(p?.reminderDays ?? 7), isActive: p?.isActive ?? true,
});

export function planInput(d: Draft, currency: string): Record<string, unknown> {
  return {
    name: String(d.name).trim(), term: d.term, tier: textOrNull(d.tier), monthlyGiftPoints: intOrNull(d.monthlyGiftPoints),
    monthlyGiftCredit: { amount: String(d.monthlyGiftCredit).trim() || "0", currency }, reminderDays: intOrNull(d.reminderDays), isActive: Boolean(d.isActive),
  };
}

// A plan is keyed by the Saleor variant sold as it: setting an existing plan's variant edits that plan.
export function PlanForm({ plan, choices, onSaved }: { plan?: Plan; choices: Choices; onSaved: () => void }) {
  const { club, channel, t, lang } = useSession();
  const [draft, setDraft] = useState<Draft>(planDraft(plan));
  const form = useMutationForm();
  const set = (k: string) => (v: string | boolean) => setDraft({ ...draft, [k]: v });
  const number = (k: Key, label = t(k)) => <TextField key={k} name={k} type="number" label={label} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />;
  return (
    <form data-testid={plan ? `plan-form-${plan.id}` : "plan-new"} aria-label={plan?.name ?? t("addPlan")} onSubmit={(e) => {
      e.preventDefault();
      void form.submit(async () => (await club<{ loyaltyMembershipPlanSet: { errors: FieldError[] } }>(PLAN_SET, {
        channel, variantId: String(draft.variantId).trim(), input: planInput(draft, choices.currency),
      })).loyaltyMembershipPlanSet, () => { if (!plan) setDraft(planDraft()); onSaved(); });
    }}>
      <div className="form-grid">
        {plan ? null : <TextField name="variantId" label={t("variantId")} help={t("variantIdHelp")} value={String(draft.variantId)} onChange={set("variantId")} error={form.errors.variantId} />}
        <TextField name="name" label={t("name")} value={String(draft.name)} onChange={set("name")} error={form.errors.name} />
        <SelectField name="term" label={t("term")} value={String(draft.term)} onChange={set("term")} error={form.errors.term}
          options={["MONTHLY", "YEARLY"].map((v) => ({ value: v, label: t(`term${v}` as Key) }))} />
        <SelectField name="tier" label={t("tier")} value={String(draft.tier)} onChange={set("tier")} error={form.errors.tier ?? form.errors.tierId}
          options={[{ value: "", label: "—" }, ...choices.tiers.map((x) => ({ value: x.id, label: tierName(x, lang) }))]} />
        {number("monthlyGiftPoints")}
        {number("monthlyGiftCredit", `${t("monthlyGiftCredit")} (${choices.currency})`)}
        {number("reminderDays")}
        <CheckField name="isActive" label={t("active")} checked={Boolean(draft.isActive)} onChange={set("isActive")} error={form.errors.isActive} />
      </div>
      <SubmitRow busy={form.busy} saved={form.saved} label={plan ? t("save") : t("addPlan")} savedLabel={t("saved")} error={form.errors[""]} />
    </form>
  );
}
