import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";
import type { FieldError } from "../api";
import { TIER_LANGUAGES, type Key, type TierLanguage } from "../i18n";
import { PROGRAM, TIER_CREATE, TIER_DELETE, TIER_TRANSLATE, TIER_UPDATE } from "../queries";
import { useSession } from "../session";
import { Card, CheckField, FieldErrorText, SubmitRow, TextField, useMutationForm } from "../ui";
import { TierExtras } from "./tiers/TierExtras";

type Translations = Partial<Record<Lowercase<TierLanguage>, { name: string } | null>>;
export type Tier = Translations & {
  id: string; position: number; name: string; entryThreshold: number; retainThreshold: number;
  benefits: { earnMultiplier: number; discountPercent: number; freeShipping: boolean; earlyAccess: boolean; birthdayPoints: number; cashbackPercent: number | null };
};
type Draft = Record<string, string | boolean>;

const TEXT: Key[] = ["name"];
const NUMBERS: Key[] = ["entryThreshold", "retainThreshold", "earnMultiplier", "discountPercent", "birthdayPoints", "cashbackPercent"];
const FLAGS: Key[] = ["freeShipping", "earlyAccess"];

function draftOf(tier?: Tier): Draft {
  const b = tier?.benefits;
  return {
    name: tier?.name ?? "",
    entryThreshold: String(tier?.entryThreshold ?? ""), retainThreshold: String(tier?.retainThreshold ?? ""),
    earnMultiplier: String(b?.earnMultiplier ?? 1), discountPercent: String(b?.discountPercent ?? 0),
    birthdayPoints: String(b?.birthdayPoints ?? 0), cashbackPercent: b?.cashbackPercent == null ? "" : String(b.cashbackPercent),
    freeShipping: b?.freeShipping ?? false, earlyAccess: b?.earlyAccess ?? false,
  };
}

// Decimals travel as strings (the API's Decimal scalar), integers as numbers; empty optional fields are left out.
export function tierInput(d: Draft): Record<string, unknown> {
  const input: Record<string, unknown> = { name: d.name, freeShipping: d.freeShipping, earlyAccess: d.earlyAccess };
  for (const k of NUMBERS) {
    const v = String(d[k]).trim();
    if (v === "") continue;
    input[k] = k === "birthdayPoints" ? Number.parseInt(v, 10) : v;
  }
  return input;
}

// One language, one loyaltyTierTranslate: an empty name removes that translation; errors land on the field.
function TranslationField({ tier, code }: { tier: Tier; code: TierLanguage }) {
  const { club, channel, t } = useSession();
  const [name, setName] = useState(tier[code.toLowerCase() as Lowercase<TierLanguage>]?.name ?? "");
  const form = useMutationForm();
  const field = `translation-${code}`;
  return (
    <Box display="flex" gap={2} alignItems="flex-start" data-testid={field}>
      <TextField name={field} label={t(`lang${code}` as Key)} value={name} onChange={setName} error={form.errors.name ?? form.errors.languageCode ?? form.errors[""]} />
      <Button type="button" variant="secondary" disabled={form.busy} onClick={() => void form.submit(async () =>
        (await club<{ loyaltyTierTranslate: { errors: FieldError[] } }>(TIER_TRANSLATE, { channel, id: tier.id, languageCode: code, name })).loyaltyTierTranslate)}>
        {t("save")}
      </Button>
      {form.saved ? <Text size={2} color="success1" role="status">{t("saved")}</Text> : null}
    </Box>
  );
}

function TierForm({ tier, onSaved }: { tier?: Tier; onSaved: () => void }) {
  const { club, channel, t } = useSession();
  const [draft, setDraft] = useState<Draft>(draftOf(tier));
  const form = useMutationForm();
  const [deleteError, setDeleteError] = useState("");
  const set = (k: string) => (v: string | boolean) => setDraft({ ...draft, [k]: v });
  return (
    <form data-testid={`tier-${tier?.name ?? "new"}`} aria-label={tier?.name ?? t("addTier")} noValidate onSubmit={(e) => {
      e.preventDefault();
      void form.submit(async () => {
        if (tier) return (await club<{ loyaltyTierUpdate: { errors: FieldError[] } }>(TIER_UPDATE, { channel, id: tier.id, input: tierInput(draft) })).loyaltyTierUpdate;
        return (await club<{ loyaltyTierCreate: { errors: FieldError[] } }>(TIER_CREATE, { channel, input: tierInput(draft) })).loyaltyTierCreate;
      }, () => { if (!tier) setDraft(draftOf()); onSaved(); });
    }}>
      <div className="form-grid">
        {TEXT.map((k) => <TextField key={k} name={k} label={t(k)} value={draft[k] as string} onChange={set(k)} error={form.errors[k]} />)}
        {NUMBERS.map((k) => <TextField key={k} name={k} type="number" label={t(k)} value={draft[k] as string} onChange={set(k)} error={form.errors[k]} />)}
        {FLAGS.map((k) => <CheckField key={k} name={k} label={t(k)} checked={Boolean(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
      </div>
      <Box display="flex" gap={3} alignItems="center">
        <SubmitRow busy={form.busy} saved={form.saved} label={tier ? t("save") : t("addTier")} savedLabel={t("saved")} error={form.errors[""] ?? form.errors.position} />
        {tier && tier.position > 0 ? <Button type="button" variant="error" marginTop={3} onClick={async () => {
          const d = await club<{ loyaltyTierDelete: { errors: FieldError[] } }>(TIER_DELETE, { channel, id: tier.id, moveTo: null });
          if (d.loyaltyTierDelete.errors.length) setDeleteError(d.loyaltyTierDelete.errors[0].message); else onSaved();
        }}>{t("deleteTier")}</Button> : null}
      </Box>
      <FieldErrorText name="delete" error={deleteError} />
    </form>
  );
}

export default function Tiers() {
  const { club, channel, t } = useSession();
  const [tiers, setTiers] = useState<Tier[] | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState("");
  const load = useCallback(() => {
    if (!channel) return;
    club<{ program: { tiers: Tier[] } }>(PROGRAM, { channel }).then((d) => { setTiers(d.program.tiers); setVersion((v) => v + 1); }).catch((e: Error) => setError(e.message));
  }, [club, channel]);
  useEffect(load, [load]);
  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (!tiers) return <Text>{t("loading")}</Text>;
  return (
    <Box display="grid" gap={4}>
      {tiers.map((tier) => (
        <Card key={`${tier.id}-${version}`} title={`${tier.position + 1}. ${tier.name}`}>
          <TierForm tier={tier} onSaved={load} />
          <Text as="h3" size={3} fontWeight="bold" marginTop={4} display="block">{t("translations")}</Text>
          <div className="form-grid">{TIER_LANGUAGES.map((code) => <TranslationField key={code} tier={tier} code={code} />)}</div>
        </Card>
      ))}
      <Card title={t("addTier")}><TierForm key={`new-${version}`} onSaved={load} /></Card>
      <TierExtras tiers={tiers} />
    </Box>
  );
}
