import { Box, Button } from "@saleor/macaw-ui";
import { useState } from "react";
import type { FieldError } from "../../api";
import type { Key } from "../../i18n";
import { ACTION_CREATE, ACTION_UPDATE } from "../../queries";
import { useSession } from "../../session";
import { CheckField, SubmitRow, TextField, useMutationForm } from "../../ui";
import { intOrNull, type Action, type Draft } from "./types";

const NAMES: Key[] = ["nameEn", "nameHe"];
const INTS: Key[] = ["points", "pendingDays"];
const CAPS: Key[] = ["capPerDay", "capPerMonth", "capLifetime"];
// The switch is labelled as in the actions list ("On"); the key stays the input's name.
const FLAGS: [string, Key][] = [["isEnabled", "enabled"], ["oncePerObject", "oncePerObject"]];

export function actionDraft(a?: Action): Draft {
  return {
    key: a?.key ?? "", nameEn: a?.nameEn ?? "", nameHe: a?.nameHe ?? "", points: String(a?.points ?? ""),
    pendingDays: String(a?.pendingDays ?? 0), capPerDay: a?.caps.perDay == null ? "" : String(a.caps.perDay),
    capPerMonth: a?.caps.perMonth == null ? "" : String(a.caps.perMonth), capLifetime: a?.caps.lifetime == null ? "" : String(a.caps.lifetime),
    isEnabled: a?.isEnabled ?? true, oncePerObject: a?.caps.oncePerObject ?? false,
  };
}

// Every setting goes in the one mutation; an empty cap is sent as null, which the API reads as "no cap".
export function actionInput(d: Draft): Record<string, unknown> {
  const input: Record<string, unknown> = { nameEn: String(d.nameEn).trim(), nameHe: String(d.nameHe).trim() };
  for (const k of INTS) input[k] = intOrNull(d[k]);
  for (const k of CAPS) input[k] = intOrNull(d[k]);
  for (const [k] of FLAGS) input[k] = Boolean(d[k]);
  return input;
}

type Saved = { errors: FieldError[]; action: Action | null };

// Edits an action (`action` given) or defines a custom one (with its key); the saved action goes to `onSaved`.
export function ActionForm({ action, onSaved, onCancel }: { action?: Action; onSaved: (a: Action) => void; onCancel?: () => void }) {
  const { club, channel, t } = useSession();
  const [draft, setDraft] = useState<Draft>(actionDraft(action));
  const form = useMutationForm();
  const set = (k: string) => (v: string | boolean) => setDraft({ ...draft, [k]: v });
  const save = () => form.submit(async () => {
    if (action) return (await club<{ loyaltyActionUpdate: Saved }>(ACTION_UPDATE, { channel, key: action.key, input: actionInput(draft) })).loyaltyActionUpdate;
    return (await club<{ loyaltyActionCreate: Saved }>(ACTION_CREATE, { channel, key: String(draft.key).trim(), input: actionInput(draft) })).loyaltyActionCreate;
  }, (r) => { if (r.action) { onSaved(r.action); if (!action) setDraft(actionDraft()); } });
  return (
    <form data-testid={action ? `action-form-${action.key}` : "action-new"} aria-label={action ? action.nameEn : t("addAction")}
      onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <div className="form-grid">
        {action ? null : <TextField name="key" label={t("actionKey")} value={String(draft.key)} onChange={set("key")} error={form.errors.key} />}
        {NAMES.map((k) => <TextField key={k} name={k} label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
        {INTS.map((k) => <TextField key={k} name={k} type="number" label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
        {CAPS.map((k) => <TextField key={k} name={k} type="number" label={t(k)} help={t("capHelp")} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
        {FLAGS.map(([k, label]) => <CheckField key={k} name={k} label={t(label)} checked={Boolean(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
      </div>
      <Box display="flex" gap={3} alignItems="center">
        <SubmitRow busy={form.busy} saved={form.saved} label={action ? t("save") : t("addAction")} savedLabel={t("saved")} error={form.errors[""]} />
        {onCancel ? <Button type="button" variant="secondary" marginTop={3} onClick={onCancel}>{t("close")}</Button> : null}
      </Box>
    </form>
  );
}
