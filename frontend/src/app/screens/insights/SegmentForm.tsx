import { Box, Button } from "@saleor/macaw-ui";
import { useState } from "react";
import type { FieldError } from "../../api";
import { tierName, type Key } from "../../i18n";
import { SAVED_SEGMENT_CREATE, SAVED_SEGMENT_DELETE, SAVED_SEGMENT_UPDATE } from "../../queries";
import { useSession } from "../../session";
import { FieldErrorText, SelectField, SubmitRow, TextField, useMutationForm } from "../../ui";
import { ChoicesField, PlainField } from "../fields";
import type { InsightChoices, SavedSegment } from "./types";

const SEGMENTS = ["NEW", "ONE_TIME", "REPEAT", "LOYAL", "AT_RISK", "LAPSED"];
const AMOUNTS = ["spendMin", "spendMax"] as const;
const COUNTS = ["ordersMin", "ordersMax"] as const;
const YES_NO = ["emailConsent", "referredAFriend", "wasReferred"] as const;
const DAYS = ["lastOrderFrom", "lastOrderTo"] as const;
const MEMBERSHIP = ["ACTIVE", "ENDED", "NONE"];
type Draft = Record<"name" | "tierId" | (typeof AMOUNTS)[number] | (typeof COUNTS)[number] | (typeof YES_NO)[number] | (typeof DAYS)[number], string>
  & { segments: string[]; paidMembership: string[] };
const localDay = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

// Saved filters come back as stored (snake_case, a tier as its number); the form speaks the input's names.
export function segmentDraft(s: SavedSegment | undefined, tiers: { id: string }[]): Draft {
  const f = s ? (JSON.parse(s.filters || "{}") as Record<string, unknown>) : {};
  const tier = f.tier_id == null ? "" : tiers.find((x) => atob(x.id).endsWith(`:${String(f.tier_id)}`))?.id ?? "";
  const text = (v: unknown) => (v == null ? "" : String(v));
  const upper = (v: unknown) => ((v as string[] | undefined) ?? []).map((x) => x.toUpperCase());
  const draft = { name: s?.name ?? "", tierId: tier, segments: upper(f.segments), paidMembership: upper(f.paid_membership) } as Draft;
  for (const k of [...AMOUNTS, ...COUNTS, ...YES_NO]) draft[k] = text(f[snake(k)]);
  for (const k of DAYS) draft[k] = f[snake(k)] ? localDay(new Date(String(f[snake(k)]))) : "";
  return draft;
}

// The filters replace the saved ones whole: what the form leaves empty is not a filter.
export function segmentInput(d: Draft): Record<string, unknown> {
  const filters: Record<string, unknown> = {};
  if (d.tierId) filters.tierId = d.tierId;
  for (const k of AMOUNTS) if (d[k].trim()) filters[k] = d[k].trim();
  for (const k of COUNTS) if (d[k].trim()) filters[k] = Number.parseInt(d[k], 10);
  for (const k of YES_NO) if (d[k]) filters[k] = d[k] === "true";
  // A day is the start of that local day: the API wants instants with their offset.
  for (const k of DAYS) if (d[k]) filters[k] = new Date(`${d[k]}T00:00`).toISOString();
  if (d.segments.length) filters.segments = d.segments;
  if (d.paidMembership.length) filters.paidMembership = d.paidMembership;
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
        {YES_NO.map((k) => <SelectField key={k} name={k} label={t(k)} value={draft[k]} onChange={set(k)} error={form.errors[k]}
          options={[{ value: "", label: t("any") }, { value: "true", label: t("yes") }, { value: "false", label: t("no") }]} />)}
        {DAYS.map((k) => <PlainField key={k} name={k} label={t(k)} value={draft[k]} onChange={set(k)} error={form.errors[k]} />)}
        <ChoicesField name="paidMembership" label={t("paidMembership")} value={draft.paidMembership} onChange={set("paidMembership")} error={form.errors.paidMembership}
          options={MEMBERSHIP.map((m) => ({ value: m, label: t(`membership${m}` as Key) }))} />
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
