import { Text } from "@saleor/macaw-ui";
import { useState } from "react";
import type { FieldError } from "../../api";
import type { Key } from "../../i18n";
import { NPS_SETTINGS_UPDATE, SEGMENT_SETTINGS_UPDATE } from "../../staffQueries";
import { useSession } from "../../session";
import { CheckField, SubmitRow, TextField, useMutationForm } from "../../ui";

const DAYS = ["newDays", "defaultIntervalDays", "minIntervalDays", "loyalMinOrders"] as const;
const FACTORS = ["atRiskFactor", "lapsedFactor"] as const;
export type SegmentSettings = Record<(typeof DAYS)[number] | (typeof FACTORS)[number], number>;
type SegmentDraft = Record<keyof SegmentSettings, string>;

const int = (v: string) => (v.trim() === "" ? null : Number.parseInt(v, 10));

// Factors go as decimals written out (the API refuses more than two places), whole numbers as numbers.
export function segmentSettingsInput(d: SegmentDraft): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const k of DAYS) input[k] = int(d[k]);
  for (const k of FACTORS) input[k] = d[k].trim() === "" ? null : d[k].trim();
  return input;
}

export function SegmentSettingsForm({ settings, onSaved }: { settings: SegmentSettings; onSaved: () => void }) {
  const { club, channel, t } = useSession();
  const [draft, setDraft] = useState<SegmentDraft>(() => Object.fromEntries([...DAYS, ...FACTORS].map((k) => [k, String(settings[k])])) as SegmentDraft);
  const form = useMutationForm();
  type Saved = { errors: FieldError[] };
  const save = () => form.submit(
    async () => (await club<{ loyaltySegmentSettingsUpdate: Saved }>(SEGMENT_SETTINGS_UPDATE, { channel, input: segmentSettingsInput(draft) })).loyaltySegmentSettingsUpdate,
    onSaved,
  );
  return (
    <form data-testid="segment-settings-form" aria-label={t("segmentSettings")} onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <div className="form-grid">
        {[...DAYS, ...FACTORS].map((k) => <TextField key={k} name={k} type={k.endsWith("Factor") ? "text" : "number"} label={t(k as Key)}
          value={draft[k]} onChange={(v) => setDraft({ ...draft, [k]: v })} error={form.errors[k]} />)}
      </div>
      <Text size={2} color="default2" as="p">{t("segmentSettingsHelp")}</Text>
      <SubmitRow busy={form.busy} saved={form.saved} label={t("save")} savedLabel={t("saved")} error={form.errors[""] ?? form.errors.channel} />
    </form>
  );
}

export type NpsSettings = { enabled: boolean; daysAfterOrder: number };

export function NpsSettingsForm({ settings, onSaved }: { settings: NpsSettings; onSaved: () => void }) {
  const { club, channel, t } = useSession();
  const [draft, setDraft] = useState({ enabled: settings.enabled, daysAfterOrder: String(settings.daysAfterOrder) });
  const form = useMutationForm();
  type Saved = { errors: FieldError[] };
  const save = () => form.submit(
    async () => (await club<{ loyaltyNpsSettingsUpdate: Saved }>(NPS_SETTINGS_UPDATE, {
      channel, enabled: draft.enabled, daysAfterOrder: int(draft.daysAfterOrder),
    })).loyaltyNpsSettingsUpdate,
    onSaved,
  );
  return (
    <form data-testid="nps-settings-form" aria-label={t("npsSettings")} onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <div className="form-grid">
        <CheckField name="enabled" label={t("npsEnabled")} checked={draft.enabled} onChange={(enabled) => setDraft({ ...draft, enabled })} error={form.errors.enabled} />
        <TextField name="daysAfterOrder" type="number" label={t("daysAfterOrder")} value={draft.daysAfterOrder}
          onChange={(daysAfterOrder) => setDraft({ ...draft, daysAfterOrder })} error={form.errors.daysAfterOrder} />
      </div>
      <SubmitRow busy={form.busy} saved={form.saved} label={t("save")} savedLabel={t("saved")} error={form.errors[""] ?? form.errors.channel} />
    </form>
  );
}
