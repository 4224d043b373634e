import { Box, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import type { FieldError } from "../api";
import type { Key } from "../i18n";
import { PROGRAM, PROGRAM_UPDATE } from "../queries";
import { useSession } from "../session";
import { Card, CheckField, SelectField, SubmitRow, TextField, useMutationForm } from "../ui";
import { Reconciliation } from "./settings/Reconciliation";

type Program = Record<string, unknown> & { currency: string; pointValue: { amount: number; currency: string } };

const INTS: Key[] = ["pendingDays", "expiryMonths", "expiryReminderDays", "maxAdjustmentPoints", "tierGraceDays", "redeemMinPoints", "redeemStepPoints"];
const DECIMALS: Key[] = ["earnRate", "cashbackPercent", "redeemMaxSharePercent"];
const FLAGS: Key[] = ["isActive", "includeTax"];
const CHOICES: Partial<Record<Key, string[]>> = {
  negativeBalancePolicy: ["DEBT", "CLAMP"], tierBasis: ["SPEND", "POINTS"], tierWindow: ["LIFETIME", "CALENDAR_YEAR", "ROLLING_12_MONTHS"],
};

// The whole form goes in one loyaltyProgramUpdate: the API saves all of it or, on any error, none of it.
// The form does not validate in the browser (a 0.05 point value is no `step` of a number input): the API
// checks every field and its typed errors land next to them.
export function programInput(d: Record<string, string | boolean>, currency: string): Record<string, unknown> {
  const input: Record<string, unknown> = { timezone: d.timezone, pointValue: { amount: String(d.pointValue), currency } };
  for (const k of INTS) input[k] = Number.parseInt(String(d[k]), 10);
  for (const k of DECIMALS) input[k] = String(d[k]);
  for (const k of FLAGS) input[k] = Boolean(d[k]);
  for (const k of Object.keys(CHOICES)) input[k] = d[k];
  return input;
}

export default function Settings() {
  const { club, channel, t } = useSession();
  const [program, setProgram] = useState<Program | null>(null);
  const [draft, setDraft] = useState<Record<string, string | boolean>>({});
  const [error, setError] = useState("");
  const form = useMutationForm();
  useEffect(() => {
    if (!channel) return;
    club<{ program: Program }>(PROGRAM, { channel }).then((d) => {
      setProgram(d.program);
      const p = d.program;
      const next: Record<string, string | boolean> = { timezone: String(p.timezone), pointValue: String(p.pointValue.amount) };
      for (const k of [...INTS, ...DECIMALS]) next[k] = String(p[k]);
      for (const k of FLAGS) next[k] = Boolean(p[k]);
      for (const k of Object.keys(CHOICES)) next[k] = String(p[k]);
      setDraft(next);
    }).catch((e: Error) => setError(e.message));
  }, [club, channel]);
  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (!program) return <Text>{t("loading")}</Text>;
  const set = (k: string) => (v: string | boolean) => setDraft({ ...draft, [k]: v });
  return (
    <Box display="grid" gap={4}>
    <Card title={`${t("settings")} · ${channel} · ${program.currency}`}>
      <form aria-label={t("settings")} noValidate onSubmit={(e) => {
        e.preventDefault();
        void form.submit(async () => (await club<{ loyaltyProgramUpdate: { errors: FieldError[] } }>(PROGRAM_UPDATE, { channel, input: programInput(draft, program.currency) })).loyaltyProgramUpdate);
      }}>
        <div className="form-grid">
          {FLAGS.map((k) => <CheckField key={k} name={k} label={t(k)} checked={Boolean(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
          {DECIMALS.map((k) => <TextField key={k} name={k} type="number" label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
          <TextField name="pointValue" type="number" label={`${t("pointValue")} (${program.currency})`} value={String(draft.pointValue)} onChange={set("pointValue")} error={form.errors.pointValue} />
          {INTS.map((k) => <TextField key={k} name={k} type="number" label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
          <TextField name="timezone" label={t("timezone")} value={String(draft.timezone)} onChange={set("timezone")} error={form.errors.timezone} />
          {(Object.keys(CHOICES) as Key[]).map((k) => <SelectField key={k} name={k} label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} options={CHOICES[k]!.map((v) => ({ value: v, label: v.toLowerCase().replace(/_/g, " ") }))} />)}
        </div>
        <Box><SubmitRow busy={form.busy} saved={form.saved} label={t("save")} savedLabel={t("saved")} error={form.errors[""]} /></Box>
      </form>
    </Card>
    <Reconciliation />
    </Box>
  );
}
