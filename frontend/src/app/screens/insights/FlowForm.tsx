import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import type { FieldError } from "../../api";
import type { Key } from "../../i18n";
import { FLOW_UPDATE } from "../../staffQueries";
import { useSession } from "../../session";
import { CheckField, FieldErrorText, SelectField, SubmitRow, TextField, useMutationForm } from "../../ui";
import { AreaField } from "../fields";

export const FLOW_KINDS = ["WINBACK_AT_RISK", "WINBACK_LAPSED", "BIRTHDAY", "ANNIVERSARY"] as const;
const FLOW_LANGUAGES = ["he", "en"] as const;
const MAX_STEPS = 5;
const INCENTIVES = ["NONE", "POINTS", "VOUCHER"];

export type FlowStep = { afterDays: number; incentive: boolean; content: { language: string; subject: string; body: string }[] };
export type Flow = {
  kind: string; enabled: boolean; incentive: string; incentivePoints: number; voucherPercent: number; voucherDays: number;
  holdoutPercent: number; attributionDays: number; steps: FlowStep[];
};

type Texts = Record<string, string>; // "he.subject", "en.body"…
type StepDraft = { afterDays: string; incentive: boolean; texts: Texts };
const NUMBERS = ["incentivePoints", "voucherPercent", "voucherDays", "holdoutPercent", "attributionDays"] as const;
export type FlowDraft = Record<(typeof NUMBERS)[number], string> & { enabled: boolean; incentive: string; steps: StepDraft[] };

const newStep = (afterDays = "0"): StepDraft => ({ afterDays, incentive: false, texts: {} });

export function flowDraft(f: Flow): FlowDraft {
  const draft = { enabled: f.enabled, incentive: f.incentive,
    steps: f.steps.length ? f.steps.map((s) => ({ afterDays: String(s.afterDays), incentive: s.incentive,
      texts: Object.fromEntries(s.content.flatMap((c) => [[`${c.language}.subject`, c.subject], [`${c.language}.body`, c.body]])) })) : [newStep()],
  } as FlowDraft;
  for (const k of NUMBERS) draft[k] = String(f[k]);
  return draft;
}

const int = (v: string) => (v.trim() === "" ? null : Number.parseInt(v, 10));

// The whole flow in one input: the steps replace the saved ones, a language left empty is not sent.
export function flowInput(d: FlowDraft): Record<string, unknown> {
  const input: Record<string, unknown> = { enabled: d.enabled, incentive: d.incentive };
  for (const k of NUMBERS) input[k] = int(d[k]);
  input.steps = d.steps.map((s) => ({
    afterDays: int(s.afterDays), incentive: s.incentive,
    content: FLOW_LANGUAGES.filter((l) => (s.texts[`${l}.subject`] ?? "").trim() || (s.texts[`${l}.body`] ?? "").trim())
      .map((language) => ({ language, subject: (s.texts[`${language}.subject`] ?? "").trim(), body: (s.texts[`${language}.body`] ?? "").trim() })),
  }));
  return input;
}

const at = (i: number, field: string) => `steps.${i}.${field}`;

export function FlowForm({ flow, onSaved }: { flow: Flow; onSaved: (saved: Flow) => void }) {
  const { club, channel, t } = useSession();
  const [draft, setDraft] = useState<FlowDraft>(flowDraft(flow));
  const form = useMutationForm();
  const set = (k: keyof FlowDraft) => (v: string | boolean) => setDraft({ ...draft, [k]: v });
  const setStep = (i: number, patch: Partial<StepDraft>) => setDraft({ ...draft, steps: draft.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  type Saved = { errors: FieldError[]; flow: Flow | null };
  const save = () => form.submit(
    async () => (await club<{ loyaltyFlowUpdate: Saved }>(FLOW_UPDATE, { channel, kind: flow.kind, input: flowInput(draft) })).loyaltyFlowUpdate,
    (r) => r.flow && onSaved(r.flow),
  );
  return (
    <form data-testid={`flow-form-${flow.kind}`} aria-label={t(`flow${flow.kind}` as Key)} onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <div className="form-grid">
        <CheckField name="enabled" label={t("flowEnabled")} checked={draft.enabled} onChange={set("enabled")} error={form.errors.enabled} />
        <SelectField name="incentive" label={t("flowIncentive")} value={draft.incentive} onChange={set("incentive")} error={form.errors.incentive}
          options={INCENTIVES.map((k) => ({ value: k, label: t(`incentive${k}` as Key) }))} />
        {draft.incentive === "POINTS" ? <TextField name="incentivePoints" type="number" label={t("incentivePointsFlow")} value={draft.incentivePoints}
          onChange={set("incentivePoints")} error={form.errors.incentivePoints} /> : null}
        {draft.incentive === "VOUCHER" ? <TextField name="voucherPercent" type="number" label={t("voucherPercent")} value={draft.voucherPercent}
          onChange={set("voucherPercent")} error={form.errors.voucherPercent} /> : null}
        {draft.incentive === "VOUCHER" ? <TextField name="voucherDays" type="number" label={t("voucherDays")} value={draft.voucherDays}
          onChange={set("voucherDays")} error={form.errors.voucherDays} /> : null}
        <TextField name="holdoutPercent" type="number" label={t("holdoutPercent")} value={draft.holdoutPercent} onChange={set("holdoutPercent")} error={form.errors.holdoutPercent} />
        <TextField name="attributionDays" type="number" label={t("attributionDays")} value={draft.attributionDays} onChange={set("attributionDays")} error={form.errors.attributionDays} />
      </div>
      {draft.steps.map((s, i) => (
        <Box key={i} className="variant" data-testid={`flow-step-${i}`}>
          <Text size={3} fontWeight="bold">{t("flowStep")} {i + 1}</Text>
          <div className="form-grid">
            <TextField name={at(i, "afterDays")} type="number" label={t("afterDays")} value={s.afterDays}
              onChange={(afterDays) => setStep(i, { afterDays })} error={form.errors[at(i, "afterDays")]} />
            <CheckField name={at(i, "incentive")} label={t("stepIncentive")} checked={s.incentive} onChange={(incentive) => setStep(i, { incentive })} />
            {FLOW_LANGUAGES.flatMap((l) => (["subject", "body"] as const).map((part) => {
              const name = at(i, `${l}.${part}`);
              const props = { name, label: `${t(part)} · ${t(`lang${l.toUpperCase()}` as Key)}`, value: s.texts[`${l}.${part}`] ?? "",
                onChange: (text: string) => setStep(i, { texts: { ...s.texts, [`${l}.${part}`]: text } }) };
              return part === "body" ? <AreaField key={name} {...props} /> : <div key={name} className="wide"><TextField {...props} /></div>;
            }))}
          </div>
          <FieldErrorText name={at(i, "content")} error={form.errors[at(i, "content")]} />
          {draft.steps.length > 1 ? <Button type="button" size="small" variant="secondary" marginTop={2}
            onClick={() => setDraft({ ...draft, steps: draft.steps.filter((_, j) => j !== i) })}>{t("removeStep")}</Button> : null}
        </Box>
      ))}
      <FieldErrorText name="steps" error={form.errors.steps} />
      {draft.steps.length < MAX_STEPS ? <Button type="button" size="small" variant="secondary" marginTop={3}
        onClick={() => setDraft({ ...draft, steps: [...draft.steps, newStep(String((int(draft.steps.at(-1)?.afterDays ?? "") ?? 0) + 7))] })}>{t("addStep")}</Button> : null}
      <SubmitRow busy={form.busy} saved={form.saved} label={t("save")} savedLabel={t("saved")} error={form.errors[""] ?? form.errors.kind} />
    </form>
  );
}
