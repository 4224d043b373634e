import { Box, Button } from "@saleor/macaw-ui";
import { useState } from "react";
import type { FieldError } from "../../api";
import { tierName, type Key } from "../../i18n";
import { SAVED_SEGMENT_CREATE, SAVED_SEGMENT_DELETE, SAVED_SEGMENT_UPDATE } from "../../queries";
import { useSession } from "../../session";
import { FieldErrorText, SelectField, SubmitRow, TextField, useMutationForm } from "../../ui";
import { ChoicesField } from "../fields";
import type { InsightChoices, SavedSegment } from "./types";

const SEGMENTS = ["NEW", "ONE_TIME", "REPEAT", "LOYAL", "AT_RISK", "LAPSED"];
const AMOUNTS = ["spendMin", "spendMax"] as const;
const COUNTS = ["ordersMin", "ordersMax"] as const;
type Draft = { name: string; tierId: string; spendMin: string; spendMax: string; ordersMin: string; ordersMax: string; emailConsent: string; segments: string[] };

// Saved filters come back as stored (snake_case, a tier as its number); the form speaks the input's names.
export function segmentDraft(s: SavedSegment | undefined, tiers: { id: string }[]): Draft {
  const f = s ? (JSON.parse(s.filters || "{}") as Record<string, unknown>) : {};
  const tier = f.tier_id == null ? "" : tiers.find((x) => atob(x.id).endsWith(`:${String(f.tier_id)}`))?.id ?? "";
  const text = (v: unknown) => (v == null ? "" : String(v));
  return {
    name: s?.name ?? "", tierId: tier, spendMin: text(f.spend_min), spendMax: text(f.spend_max), ordersMin: text(f.orders_min),
    ordersMax: text(f.orders_max), emailConsent: f.email_consent == null ? "" : String(f.email_consent), segments: (f.segments as string[] | undefined)?.map((x) => x.toUpperCase()) ?? [],
  };
}

// The filters replace the saved ones whole: what the form leaves empty is not a filter.
export function segmentInput(d: Draft): Record<string, unknown> {
  const filters: Record<string, unknown> = {};
  if (d.tierId) filters.tierId = d.tierId;
  for (const k of AMOUNTS) if (d[k].trim()) filters[k] = d[k].trim();
  for (const k of COUNTS) if (d[k].trim()) filters[k] = Number.parseInt(d[k], 10);
  if (d.emailConsent) filters.emailConsent = d.emailConsent === "true";
  if (d.segments.length) filters.segments = d.segments;
  return { name: d.name.trim(), filters };
}

export function SegmentForm({ segment, choices, onSaved }: { segment?: SavedSegment; choices: InsightChoices; onSaved: () => void }) {
  const { club, channel, t, lang } = useSession();
  const [draft, setDraft] = useState<Draft>(segmentDraft(segment, choices.tiers));
  const form = useMutationForm();
  const remove = useMutationForm();
  const set = (k: keyof Draft) => (v: string | string[]) => setDraft({ ...draft, [k]: v });
  type Saved = { errors: FieldError[] };
  const save = () => form.submit(async () => {
    if (segment) return (await club<{ loyaltySavedSegmentUpdate: Saved }>(SAVED_SEGMENT_UPDATE, { channel, id: segment.id, input: segmentInput(draft) })).loyaltySavedSegmentUpdate;
    return (await club<{ loyaltySavedSegmentCreate: Saved }>(SAVED_SEGMENT_CREATE, { channel, input: segmentInput(draft) })).loyaltySavedSegmentCreate;
  }, () => { if (!segment) setDraft(segmentDraft(undefined, [])); onSaved(); });
  return (
    <form data-testid={segment ? `segment-form-${segment.id}` : "segment-new"} aria-label={segment?.name ?? t("newSegment")}
      onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <div className="form-grid">
        <TextField name="name" label={t("name")} value={draft.name} onChange={set("name")} error={form.errors.name} />
        <SelectField name="tierId" label={t("tier")} value={draft.tierId} onChange={set("tierId")} error={form.errors.tierId}
          options={[{ value: "", label: t("anyTier") }, ...choices.tiers.map((x) => ({ value: x.id, label: tierName(x, lang) }))]} />
        {[...AMOUNTS, ...COUNTS].map((k) => <TextField key={k} name={k} type="number" label={t(k as Key)} value={draft[k]} onChange={set(k)} error={form.errors[k]} />)}
        <SelectField name="emailConsent" label={t("emailConsent")} value={draft.emailConsent} onChange={set("emailConsent")} error={form.errors.emailConsent}
          options={[{ value: "", label: t("any") }, { value: "true", label: t("yes") }, { value: "false", label: t("no") }]} />
        <ChoicesField name="segments" label={t("namedSegments")} value={draft.segments} onChange={set("segments")} error={form.errors.segments}
          options={SEGMENTS.map((s) => ({ value: s, label: t(`seg${s}` as Key) }))} />
      </div>
      <Box display="flex" gap={3} alignItems="center">
        <SubmitRow busy={form.busy} saved={form.saved} label={segment ? t("save") : t("newSegment")} savedLabel={t("saved")} error={form.errors[""] ?? form.errors.filters} />
        {segment ? <Button type="button" variant="error" marginTop={3} disabled={remove.busy} onClick={() => void remove.submit(
          async () => (await club<{ loyaltySavedSegmentDelete: Saved }>(SAVED_SEGMENT_DELETE, { channel, id: segment.id })).loyaltySavedSegmentDelete, onSaved,
        )}>{t("delete")}</Button> : null}
      </Box>
      <FieldErrorText name="delete" error={remove.errors[""] ?? remove.errors.id} />
    </form>
  );
}
