import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";
import type { FieldError } from "../../api";
import { formatDate, type Key } from "../../i18n";
import { CLUB_SHIPPING_SET, EARLY_ACCESS_MARK, EARLY_ACCESS_UNMARK, TIER_EXTRAS } from "../../staffQueries";
import { useSession } from "../../session";
import { Card, FieldErrorText, SelectField, SubmitRow, useMutationForm } from "../../ui";
import { AreaField, PlainField } from "../fields";

type Item = { id: string; kind: "PRODUCT" | "COLLECTION"; startsAt: string | null; endsAt: string | null; minimumTier: { id: string; name: string } | null };
type Extras = { clubShippingMethodIds: string[]; earlyAccess: Item[] };

// Saleor IDs typed one a line (or separated by commas/spaces); blank lines are dropped.
export const idLines = (text: string): string[] => text.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
// A local date-time box to the API's DateTime; empty is "not given".
const isoOrNull = (local: string): string | null => (local ? new Date(local).toISOString() : null);

// The channel's list is replaced as a whole: one mutation, [] clears it.
export function ClubShippingForm({ ids }: { ids: string[] }) {
  const { club, channel, t } = useSession();
  const [text, setText] = useState(ids.join("\n"));
  const form = useMutationForm();
  return (
    <form data-testid="club-shipping" aria-label={t("clubShipping")} noValidate onSubmit={(e) => {
      e.preventDefault();
      void form.submit(async () => (await club<{ loyaltyClubShippingMethodsSet: { errors: FieldError[]; shippingMethodIds: string[] | null } }>(
        CLUB_SHIPPING_SET, { channel, ids: idLines(text) })).loyaltyClubShippingMethodsSet,
      (r) => setText((r.shippingMethodIds ?? []).join("\n")));
    }}>
      <AreaField name="shippingMethodIds" label={t("shippingIds")} help={t("shippingIdsHelp")} value={text} onChange={setText} error={form.errors.shippingMethodIds} />
      <SubmitRow busy={form.busy} saved={form.saved} label={t("save")} savedLabel={t("saved")} error={form.errors[""]} />
    </form>
  );
}

export function earlyAccessInput(d: Record<string, string>): Record<string, unknown> {
  return {
    products: idLines(d.products), collections: idLines(d.collections), startsAt: isoOrNull(d.startsAt), endsAt: isoOrNull(d.endsAt),
    minimumTier: d.minimumTier || null,
  };
}

const EMPTY = { products: "", collections: "", startsAt: "", endsAt: "", minimumTier: "" };

// Marks products and collections for early access in one mutation; marking an item again replaces its window.
export function EarlyAccessForm({ tiers, onSaved }: { tiers: { id: string; name: string }[]; onSaved: () => void }) {
  const { club, channel, t } = useSession();
  const [draft, setDraft] = useState<Record<string, string>>(EMPTY);
  const form = useMutationForm();
  const set = (k: string) => (v: string) => setDraft({ ...draft, [k]: v });
  return (
    <form data-testid="early-access-new" aria-label={t("earlyAccessItems")} noValidate onSubmit={(e) => {
      e.preventDefault();
      void form.submit(async () => (await club<{ loyaltyEarlyAccessMark: { errors: FieldError[] } }>(
        EARLY_ACCESS_MARK, { channel, input: earlyAccessInput(draft) })).loyaltyEarlyAccessMark, () => { setDraft(EMPTY); onSaved(); });
    }}>
      <div className="form-grid">
        {(["products", "collections"] as const).map((k) => <AreaField key={k} name={k} label={t(k === "products" ? "productIds" : "collectionIds")}
          help={t("earlyAccessIdsHelp")} value={draft[k]} onChange={set(k)} error={form.errors[k]} />)}
        {(["startsAt", "endsAt"] as Key[]).map((k) => <PlainField key={k} name={k} type="datetime-local" label={t(k)} value={draft[k]} onChange={set(k)} error={form.errors[k]} />)}
        <SelectField name="minimumTier" label={t("minimumTier")} value={draft.minimumTier} onChange={set("minimumTier")} error={form.errors.minimumTier}
          options={[{ value: "", label: "—" }, ...tiers.map((x) => ({ value: x.id, label: x.name }))]} />
      </div>
      <SubmitRow busy={form.busy} saved={form.saved} label={t("mark")} savedLabel={t("saved")} error={form.errors[""]} />
    </form>
  );
}

function ItemRow({ item, onReleased }: { item: Item; onReleased: () => void }) {
  const { club, channel, t, lang } = useSession();
  const form = useMutationForm();
  const ids = item.kind === "PRODUCT" ? { products: [item.id] } : { collections: [item.id] };
  return (
    <tr data-testid={`early-${item.id}`}>
      <td>{item.id}</td><td>{item.kind.toLowerCase()}</td><td>{formatDate(item.startsAt, lang)}</td><td>{formatDate(item.endsAt, lang)}</td>
      <td>{item.minimumTier?.name ?? "—"}</td>
      <td>
        <Button type="button" size="small" variant="secondary" disabled={form.busy} onClick={() => void form.submit(async () =>
          (await club<{ loyaltyEarlyAccessUnmark: { errors: FieldError[] } }>(EARLY_ACCESS_UNMARK, { channel, ...ids })).loyaltyEarlyAccessUnmark, onReleased)}>
          {t("unmark")}
        </Button>
        <FieldErrorText name={`release-${item.id}`} error={Object.values(form.errors).join(" ") || undefined} />
      </td>
    </tr>
  );
}

// The tiers screen's channel-wide club perks: reserved shipping methods and gated products/collections.
export function TierExtras({ tiers }: { tiers: { id: string; name: string }[] }) {
  const { club, channel, t } = useSession();
  const [extras, setExtras] = useState<Extras | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState("");
  const load = useCallback(() => {
    club<Partial<Extras>>(TIER_EXTRAS, { channel }).then((d) => { setExtras({ clubShippingMethodIds: d.clubShippingMethodIds ?? [], earlyAccess: d.earlyAccess ?? [] }); setVersion((v) => v + 1); }).catch((e: Error) => setError(e.message));
  }, [club, channel]);
  useEffect(load, [load]);
  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (!extras) return null;
  return (
    <>
      <Card title={t("clubShipping")} testId="club-shipping-card"><ClubShippingForm key={version} ids={extras.clubShippingMethodIds} /></Card>
      <Card title={t("earlyAccessItems")} testId="early-access-card">
        <Box display="grid" gap={4}>
          {extras.earlyAccess.length ? (
            <table className="table">
              <thead><tr><th>ID</th><th>{t("kind")}</th><th>{t("startsAt")}</th><th>{t("endsAt")}</th><th>{t("minimumTier")}</th><th /></tr></thead>
              <tbody>{extras.earlyAccess.map((item) => <ItemRow key={item.id} item={item} onReleased={load} />)}</tbody>
            </table>
          ) : <Text>{t("noneYet")}</Text>}
          <EarlyAccessForm tiers={tiers} onSaved={load} />
        </Box>
      </Card>
    </>
  );
}
