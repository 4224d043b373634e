import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import type { FieldError } from "../api";
import { monthWindow, type Key } from "../i18n";
import { RECOVERY_SETTINGS, RECOVERY_UPDATE } from "../queries";
import { useSession } from "../session";
import { Card, CheckField, FieldErrorText, SelectField, Stat, SubmitRow, TextField, useMutationForm } from "../ui";
import { AbandonedList, MessageLogList, Previews } from "./RecoveryLists";

const FLAGS: Key[] = ["recoveryEnabled", "clubMessagesEnabled", "observeShabbat"];
const TEXTS: Key[] = ["senderName", "senderEmail", "contactAddress", "replyTo", "restoreUrlTemplate", "timezone", "defaultLanguage"];
const INTS: Key[] = ["abandonAfterMinutes", "lostAfterDays", "holdoutPercent", "attributionDays"];
const INCENTIVE: Key[] = ["lastStepDiscountPercent", "incentiveHours"];
const MEDIA = ["EMAIL", "SMS"];

export type Step = { afterMinutes: string; medium: string };
type Draft = Record<string, string | boolean>;
type Data = {
  recoverySettings: Record<string, unknown> & { steps: { afterMinutes: number; medium: string }[]; country: string };
  recoveryStats: { abandonedCount: number; remindedCount: number; recoveredCount: number; unsubscribes: number } | null;
};

// The whole form, reminder steps included, goes in one loyaltyRecoverySettingsUpdate: all of it or none.
export function recoveryInput(draft: Draft, steps: Step[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const k of FLAGS) input[k] = Boolean(draft[k]);
  for (const k of TEXTS) input[k] = String(draft[k]);
  for (const k of [...INTS, ...INCENTIVE]) input[k] = Number.parseInt(String(draft[k]), 10);
  input.steps = steps.map((s) => ({ afterMinutes: Number.parseInt(s.afterMinutes, 10), medium: s.medium }));
  return input;
}

function StepsEditor({ steps, onChange, error }: { steps: Step[]; onChange: (steps: Step[]) => void; error?: string }) {
  const { t } = useSession();
  const set = (i: number, patch: Partial<Step>) => onChange(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const last = Number.parseInt(steps[steps.length - 1]?.afterMinutes ?? "0", 10) || 0;
  return (
    <Box className="steps" data-testid="steps" marginTop={4}>
      <Text as="h3" size={4} fontWeight="bold">{t("reminderSteps")}</Text>
      {steps.map((s, i) => (
        <div className="step" key={i} data-testid={`step-${i}`}>
          <Text size={3}>#{i + 1}</Text>
          <TextField name={`step-${i}-afterMinutes`} type="number" label={t("afterMinutes")} value={s.afterMinutes} onChange={(v) => set(i, { afterMinutes: v })} />
          <SelectField name={`step-${i}-medium`} label={t("medium")} value={s.medium} onChange={(v) => set(i, { medium: v })} options={MEDIA.map((m) => ({ value: m, label: m.toLowerCase() }))} />
          {steps.length > 1 ? <Button type="button" variant="tertiary" onClick={() => onChange(steps.filter((_, j) => j !== i))}>{t("removeStep")}</Button> : <span />}
        </div>
      ))}
      <FieldErrorText name="steps" error={error} />
      <Box><Button type="button" variant="secondary" onClick={() => onChange([...steps, { afterMinutes: String(last * 2 || 60), medium: "EMAIL" }])}>{t("addStep")}</Button></Box>
    </Box>
  );
}

export default function Recovery() {
  const { club, channel, t } = useSession();
  const [data, setData] = useState<Data | null>(null);
  const [draft, setDraft] = useState<Draft>({});
  const [steps, setSteps] = useState<Step[]>([]);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState("");
  const form = useMutationForm();
  useEffect(() => {
    if (!channel) return;
    club<Data>(RECOVERY_SETTINGS, { channel, ...monthWindow() }).then((d) => {
      setData(d);
      const next: Draft = {};
      for (const k of FLAGS) next[k] = Boolean(d.recoverySettings[k]);
      for (const k of [...TEXTS, ...INTS, ...INCENTIVE]) next[k] = String(d.recoverySettings[k] ?? "");
      setDraft(next);
      setSteps(d.recoverySettings.steps.map((s) => ({ afterMinutes: String(s.afterMinutes), medium: s.medium })));
    }).catch((e: Error) => setError(e.message));
  }, [club, channel]);
  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (!data) return <Text>{t("loading")}</Text>;
  const set = (k: string) => (v: string | boolean) => setDraft({ ...draft, [k]: v });
  const s = data.recoveryStats;
  return (
    <Box display="grid" gap={4}>
      {s ? <Card title={t("since")}><Box display="flex" gap={6}><Stat label={t("abandoned")} value={s.abandonedCount} /><Stat label={t("reminded")} value={s.remindedCount} /><Stat label={t("recovered")} value={s.recoveredCount} /><Stat label={t("unsubscribes")} value={s.unsubscribes} /></Box></Card> : null}
      <Card title={t("recovery")}>
        <form aria-label={t("recovery")} noValidate onSubmit={(e) => {
          e.preventDefault();
          void form.submit(async () => (await club<{ loyaltyRecoverySettingsUpdate: { errors: FieldError[] } }>(RECOVERY_UPDATE, { channel, input: recoveryInput(draft, steps) })).loyaltyRecoverySettingsUpdate,
            () => setVersion((v) => v + 1));
        }}>
          <div className="form-grid">
            {FLAGS.map((k) => <CheckField key={k} name={k} label={t(k)} checked={Boolean(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
            {TEXTS.map((k) => <TextField key={k} name={k} label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
            {INTS.map((k) => <TextField key={k} name={k} type="number" label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
          </div>
          <StepsEditor steps={steps} onChange={setSteps} error={form.errors.steps} />
          <Text as="h3" size={4} fontWeight="bold" marginTop={4} display="block">{t("incentive")}</Text>
          <div className="form-grid">
            {INCENTIVE.map((k) => <TextField key={k} name={k} type="number" label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
          </div>
          <SubmitRow busy={form.busy} saved={form.saved} label={t("save")} savedLabel={t("saved")} error={form.errors[""]} />
        </form>
      </Card>
      <Previews version={version} />
      <AbandonedList />
      <MessageLogList />
    </Box>
  );
}
