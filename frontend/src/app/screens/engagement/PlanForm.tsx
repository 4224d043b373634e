import { useRef, useState } from "react";
import type { FieldError } from "../../api";
import { tierName, type Key } from "../../i18n";
import { BULK_GRANT, PLAN_SET } from "../../queries";
import { useSession } from "../../session";
import { CheckField, SelectField, SubmitRow, TextField, useMutationForm } from "../../ui";
import { AreaField } from "../fields";
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

type Grant = { id: string; state: string; granted: number; skipped: number };

// The grant's members: the IDs typed (one a line) or everyone the member list's filter finds.
export function grantVariables(d: Draft, key: string): Record<string, unknown> {
  const byList = d.to === "list";
  const userIds = String(d.userIds).split(/[\s,]+/).filter(Boolean);
  const filter = { tierId: textOrNull(d.tierId), balanceMin: intOrNull(d.balanceMin), balanceMax: intOrNull(d.balanceMax), search: textOrNull(d.search) };
  return {
    points: intOrNull(d.points) ?? 0, reason: String(d.reason).trim(), key,
    userIds: byList ? userIds : null, filter: byList ? null : Object.fromEntries(Object.entries(filter).filter(([, v]) => v != null)),
  };
}

const EMPTY_GRANT: Draft = { to: "list", userIds: "", tierId: "", balanceMin: "", balanceMax: "", search: "", points: "", reason: "" };

export function BulkGrantForm({ choices }: { choices: Choices }) {
  const { club, channel, t, lang } = useSession();
  const [draft, setDraft] = useState<Draft>(EMPTY_GRANT);
  const [grant, setGrant] = useState<Grant | null>(null);
  const form = useMutationForm();
  // One key per intended grant: a double click or a retry grants once.
  const key = useRef(crypto.randomUUID());
  const set = (k: string) => (v: string | boolean) => setDraft({ ...draft, [k]: v });
  const text = (k: Key, type: "text" | "number" = "text") => <TextField key={k} name={k} type={type} label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />;
  return (
    <form data-testid="bulk-grant" aria-label={t("bulkGrant")} onSubmit={(e) => {
      e.preventDefault();
      void form.submit(async () => (await club<{ loyaltyBulkGrantCreate: { errors: FieldError[]; grant: Grant | null } }>(BULK_GRANT, {
        channel, ...grantVariables(draft, key.current),
      })).loyaltyBulkGrantCreate, (r) => { setGrant(r.grant); key.current = crypto.randomUUID(); setDraft(EMPTY_GRANT); });
    }}>
      <div className="form-grid">
        <SelectField name="to" label={t("grantTo")} value={String(draft.to)} onChange={set("to")}
          options={[{ value: "list", label: t("grantList") }, { value: "filter", label: t("grantFilter") }]} />
        {text("points", "number")}
        {text("reason")}
        {draft.to === "list"
          ? <AreaField name="userIds" label={t("userIds")} help={t("userIdsHelp")} value={String(draft.userIds)} onChange={set("userIds")} error={form.errors.userIds} />
          : <>
            <SelectField name="tierId" label={t("tier")} value={String(draft.tierId)} onChange={set("tierId")} error={form.errors.tierId}
              options={[{ value: "", label: t("anyTier") }, ...choices.tiers.map((x) => ({ value: x.id, label: tierName(x, lang) }))]} />
            {text("balanceMin", "number")}{text("balanceMax", "number")}{text("search")}
          </>}
      </div>
      <SubmitRow busy={form.busy} saved={form.saved} label={t("grant")} savedLabel={grant ? `${t("granted")}: ${grant.granted} · ${t("skipped")}: ${grant.skipped}` : t("saved")}
        error={form.errors[""] ?? form.errors.filter ?? form.errors.idempotencyKey} />
    </form>
  );
}
