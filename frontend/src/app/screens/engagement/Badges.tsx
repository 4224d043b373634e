import { Text } from "@saleor/macaw-ui";
import { useState } from "react";
import type { FieldError } from "../../api";
import type { Key } from "../../i18n";
import { BADGE_CREATE, BADGE_UPDATE } from "../../staffQueries";
import { useSession } from "../../session";
import { SubmitRow, TextField, useMutationForm } from "../../ui";
import type { Draft } from "./types";

export type Badge = { id: string; name: string; nameHe: string; description: string; descriptionHe: string; imageUrl: string | null };

const FIELDS: Key[] = ["name", "nameHe", "description", "descriptionHe", "imageUrl"];
const badgeDraft = (b?: Badge): Draft => Object.fromEntries(FIELDS.map((k) => [k, String(b?.[k as keyof Badge] ?? "")]));

// Both names (and descriptions) go in the one mutation; an empty image address is sent as null (none).
export function badgeInput(d: Draft): Record<string, unknown> {
  const input: Record<string, unknown> = Object.fromEntries(FIELDS.map((k) => [k, String(d[k]).trim()]));
  if (input.imageUrl === "") input.imageUrl = null;
  return input;
}

type Saved = { errors: FieldError[]; badge: Badge | null };

// Creates a badge (no `badge`) or edits one; challenges can give it once it is saved.
export function BadgeForm({ badge, onSaved }: { badge?: Badge; onSaved: (b: Badge) => void }) {
  const { club, channel, t } = useSession();
  const [draft, setDraft] = useState<Draft>(badgeDraft(badge));
  const form = useMutationForm();
  const set = (k: string) => (v: string | boolean) => setDraft({ ...draft, [k]: v });
  const save = () => form.submit(async () => {
    if (badge) return (await club<{ loyaltyBadgeUpdate: Saved }>(BADGE_UPDATE, { channel, id: badge.id, input: badgeInput(draft) })).loyaltyBadgeUpdate;
    return (await club<{ loyaltyBadgeCreate: Saved }>(BADGE_CREATE, { channel, input: badgeInput(draft) })).loyaltyBadgeCreate;
  }, (r) => { if (r.badge) { onSaved(r.badge); if (!badge) setDraft(badgeDraft()); } });
  return (
    <form data-testid={badge ? `badge-form-${badge.id}` : "badge-new"} aria-label={badge?.name ?? t("addBadge")} noValidate
      onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <div className="form-grid">
        {FIELDS.map((k) => <TextField key={k} name={k} label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
      </div>
      <SubmitRow busy={form.busy} saved={form.saved} label={badge ? t("save") : t("addBadge")} savedLabel={t("saved")} error={form.errors[""] ?? form.errors.id} />
    </form>
  );
}

export function BadgeRow({ badge, lang, edit }: { badge: Badge; lang: string; edit: React.ReactNode }) {
  return (
    <tr data-testid={`badge-${badge.id}`}>
      <td>{lang === "he" && badge.nameHe ? badge.nameHe : badge.name}</td>
      <td><Text size={2} color="default2">{lang === "he" && badge.descriptionHe ? badge.descriptionHe : badge.description}</Text></td>
      <td>{edit}</td>
    </tr>
  );
}
