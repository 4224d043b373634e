import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import type { FieldError } from "../../api";
import { tierName, type Key } from "../../i18n";
import { CAMPAIGN_CREATE, CAMPAIGN_UPDATE } from "../../queries";
import { useSession } from "../../session";
import { countSegments, smsPreview } from "../../smsSegments";
import { FieldErrorText, SelectField, SubmitRow, TextField, useMutationForm } from "../../ui";
import { AreaField, ChoicesField } from "../fields";
import type { CampaignSettings, InsightChoices } from "./types";

export const LANGUAGES = ["HE", "EN"] as const;
const SEGMENTS = ["NEW", "ONE_TIME", "REPEAT", "LOYAL", "AT_RISK", "LAPSED"];
export const MERGE_FIELDS = ["first_name", "points", "points_value", "tier", "next_tier", "to_next_tier", "tier_progress", "expiring_points", "expiring_on", "incentive_points"];
const MAX_VARIANTS = 5;

type Texts = Record<string, string>; // "HE.subject", "EN.body"…
export type VariantDraft = { key: string; weight: string; incentivePoints: string; texts: Texts };
export type CampaignDraft = {
  name: string; medium: string; audienceKind: string; tierIds: string[]; segment: string; defaultLanguage: string;
  holdoutPercent: string; attributionDays: string; winnerMetric: string; variants: VariantDraft[];
};

const newVariant = (index: number): VariantDraft => ({ key: String.fromCharCode(65 + index), weight: "1", incentivePoints: "0", texts: {} });

export function campaignDraft(c?: CampaignSettings): CampaignDraft {
  const segment = c?.audienceSavedSegmentId ? `saved:${c.audienceSavedSegmentId}` : c?.audienceSegment ? `named:${c.audienceSegment}` : "";
  return {
    name: c?.name ?? "", medium: c?.medium ?? "EMAIL", audienceKind: c?.audienceKind ?? "ALL", tierIds: c?.audienceTierIds ?? [], segment,
    defaultLanguage: c?.defaultLanguage ?? "HE", holdoutPercent: String(c?.holdoutPercent ?? 0), attributionDays: String(c?.attributionDays ?? 5),
    winnerMetric: c?.winnerMetric ?? "CONVERSION",
    variants: c?.variants?.length ? c.variants.map((v) => ({
      key: v.key, weight: String(v.weight), incentivePoints: String(v.incentivePoints),
      texts: Object.fromEntries(v.contents.flatMap((x) => [[`${x.language}.subject`, x.subject], [`${x.language}.body`, x.body]])),
    })) : [newVariant(0)],
  };
}

const int = (v: string) => (v.trim() === "" ? null : Number.parseInt(v, 10));

// One input for the whole campaign: a language with neither subject nor body is left out of a variant
// (the API then asks for the default language's version, under that variant's content). An SMS has a body only.
export function campaignInput(d: CampaignDraft): Record<string, unknown> {
  const [kind, id] = d.segment.split(":");
  const segment = d.audienceKind === "SEGMENT";
  const sms = d.medium === "SMS";
  const content = (v: VariantDraft, l: string) => (sms ? { language: l, body: v.texts[`${l}.body`] ?? "" }
    : { language: l, subject: v.texts[`${l}.subject`] ?? "", body: v.texts[`${l}.body`] ?? "" });
  return {
    name: d.name.trim(), medium: d.medium, audienceKind: d.audienceKind, audienceTierIds: d.audienceKind === "TIERS" ? d.tierIds : [],
    audienceSegment: segment && kind === "named" ? id : null, audienceSavedSegmentId: segment && kind === "saved" ? id : null,
    defaultLanguage: d.defaultLanguage, holdoutPercent: int(d.holdoutPercent), attributionDays: int(d.attributionDays), winnerMetric: d.winnerMetric,
    variants: d.variants.map((v) => ({
      key: v.key.trim(), weight: int(v.weight), incentivePoints: int(v.incentivePoints),
      contents: LANGUAGES.filter((l) => (!sms && (v.texts[`${l}.subject`] ?? "").trim()) || (v.texts[`${l}.body`] ?? "").trim())
        .map((l) => content(v, l)),
    })),
  };
}

// The API names a variant's fields "variants.<index>.<field>" and its texts "variants.<index>.<he|en>.<subject|body>".
const at = (i: number, rest: string) => `variants.${i}.${rest}`;

// The live cost of an SMS body: segments, encoding and units of the text a member gets (see smsPreview).
function SmsCounter({ body, language, testId }: { body: string; language: string; testId: string }) {
  const { t } = useSession();
  const found = countSegments(smsPreview(body, language));
  return <Text size={2} color="default2" as="p" data-testid={testId} data-segments={found.segments}>
    {found.segments} {t("segmentsCount")} · {found.encoding === "UCS2" ? "UCS-2" : "GSM-7"} · {found.units}</Text>;
}

export function CampaignForm({ campaign, choices, onSaved }: { campaign?: CampaignSettings; choices: InsightChoices; onSaved: () => void }) {
  const { club, channel, t, lang } = useSession();
  const [draft, setDraft] = useState<CampaignDraft>(campaignDraft(campaign));
  const form = useMutationForm();
  const set = (k: keyof CampaignDraft) => (v: string | string[]) => setDraft({ ...draft, [k]: v });
  const sms = draft.medium === "SMS";
  // A text has no opens: switching to SMS moves an open-based winner to conversions.
  const setMedium = (medium: string) => setDraft({ ...draft, medium, winnerMetric: medium === "SMS" && draft.winnerMetric === "OPEN" ? "CONVERSION" : draft.winnerMetric });
  const setVariant = (i: number, change: Partial<VariantDraft>) => setDraft({ ...draft, variants: draft.variants.map((v, j) => (j === i ? { ...v, ...change } : v)) });
  const save = () => form.submit(async () => {
    const input = campaignInput(draft);
    type Saved = { errors: FieldError[] };
    if (campaign) return (await club<{ loyaltyCampaignUpdate: Saved }>(CAMPAIGN_UPDATE, { channel, id: campaign.id, input })).loyaltyCampaignUpdate;
    return (await club<{ loyaltyCampaignCreate: Saved }>(CAMPAIGN_CREATE, { channel, input })).loyaltyCampaignCreate;
  }, () => { if (!campaign) setDraft(campaignDraft()); onSaved(); });
  const segmentOptions = [{ value: "", label: "—" }, ...SEGMENTS.map((s) => ({ value: `named:${s}`, label: t(`seg${s}` as Key) })),
    ...choices.savedSegments.map((s) => ({ value: `saved:${s.id}`, label: `${t("savedSegments")}: ${s.name}` }))];
  return (
    <form data-testid={campaign ? `campaign-form-${campaign.id}` : "campaign-new"} aria-label={campaign?.name ?? t("newCampaign")}
      onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <div className="form-grid">
        <TextField name="name" label={t("name")} value={draft.name} onChange={set("name")} error={form.errors.name} />
        <SelectField name="medium" label={t("campaignMedium")} value={draft.medium} onChange={setMedium} error={form.errors.medium}
          options={["EMAIL", "SMS"].map((m) => ({ value: m, label: t(`medium${m}` as Key) }))} />
        <SelectField name="audienceKind" label={t("audience")} value={draft.audienceKind} onChange={set("audienceKind")} error={form.errors.audienceKind}
          options={["ALL", "TIERS", "SEGMENT"].map((k) => ({ value: k, label: t(`aud${k}` as Key) }))} />
        {draft.audienceKind === "SEGMENT" ? <SelectField name="segment" label={t("segment")} value={draft.segment} onChange={set("segment")}
          error={form.errors.audienceSegment ?? form.errors.audienceSavedSegmentId} options={segmentOptions} /> : null}
        <SelectField name="defaultLanguage" label={t("defaultLanguage")} value={draft.defaultLanguage} onChange={set("defaultLanguage")} error={form.errors.defaultLanguage}
          options={LANGUAGES.map((l) => ({ value: l, label: t(`lang${l}` as Key) }))} />
        <TextField name="holdoutPercent" type="number" label={t("holdoutPercent")} value={draft.holdoutPercent} onChange={set("holdoutPercent")} error={form.errors.holdoutPercent} />
        <TextField name="attributionDays" type="number" label={t("attributionDays")} value={draft.attributionDays} onChange={set("attributionDays")} error={form.errors.attributionDays} />
        <SelectField name="winnerMetric" label={t("winnerMetric")} value={draft.winnerMetric} onChange={set("winnerMetric")} error={form.errors.winnerMetric}
          options={(sms ? ["CONVERSION", "CLICK"] : ["CONVERSION", "CLICK", "OPEN"]).map((m) => ({ value: m, label: m.toLowerCase() }))} />
        {draft.audienceKind === "TIERS" ? <ChoicesField name="audienceTierIds" label={t("tiers")} value={draft.tierIds} onChange={set("tierIds")}
          error={form.errors.audienceTierIds} options={choices.tiers.map((x) => ({ value: x.id, label: tierName(x, lang) }))} /> : null}
      </div>
      <Text size={2} color="default2" as="p" data-testid="merge-fields">{t("mergeHelp")}: {[...MERGE_FIELDS, ...(sms ? ["opt_out"] : [])].map((f) => `{${f}}`).join(" ")}</Text>
      {sms ? <Text size={2} color="default2" as="p" data-testid="sms-help">{t("smsOptOutHelp")} {t("smsOnlyVerified")}</Text> : null}
      {draft.variants.map((v, i) => (
        <Box key={i} className="variant" data-testid={`variant-${i}`}>
          <div className="form-grid">
            <TextField name={at(i, "key")} label={t("variant")} value={v.key} onChange={(key) => setVariant(i, { key })} error={form.errors[at(i, "key")]} />
            <TextField name={at(i, "weight")} type="number" label={t("weight")} value={v.weight} onChange={(weight) => setVariant(i, { weight })} error={form.errors[at(i, "weight")]} />
            <TextField name={at(i, "incentivePoints")} type="number" label={t("incentivePoints")} value={v.incentivePoints}
              onChange={(incentivePoints) => setVariant(i, { incentivePoints })} error={form.errors[at(i, "incentivePoints")]} />
            {LANGUAGES.flatMap((l) => (sms ? (["body"] as const) : (["subject", "body"] as const)).map((part) => {
              const name = at(i, `${l.toLowerCase()}.${part}`);
              const label = `${sms ? t("smsText") : t(part)} · ${t(`lang${l}` as Key)}`;
              const props = { name, label, value: v.texts[`${l}.${part}`] ?? "",
                onChange: (text: string) => setVariant(i, { texts: { ...v.texts, [`${l}.${part}`]: text } }), error: form.errors[name] };
              if (part === "subject") return <div key={name} className="wide"><TextField {...props} /></div>;
              return sms ? <div key={name} className="wide"><AreaField {...props} />
                <SmsCounter body={props.value} language={l} testId={`sms-count-${i}-${l.toLowerCase()}`} /></div> : <AreaField key={name} {...props} />;
            }))}
          </div>
          <FieldErrorText name={at(i, "content")} error={form.errors[at(i, "content")]} />
          {draft.variants.length > 1 ? <Button type="button" size="small" variant="secondary" marginTop={2}
            onClick={() => setDraft({ ...draft, variants: draft.variants.filter((_, j) => j !== i) })}>{t("remove")}</Button> : null}
        </Box>
      ))}
      {draft.variants.length < MAX_VARIANTS ? <Button type="button" size="small" variant="secondary" marginTop={3}
        onClick={() => setDraft({ ...draft, variants: [...draft.variants, newVariant(draft.variants.length)] })}>{t("addVariant")}</Button> : null}
      <SubmitRow busy={form.busy} saved={form.saved} label={campaign ? t("save") : t("newCampaign")} savedLabel={t("saved")} error={form.errors[""] ?? form.errors.variants ?? form.errors.id} />
    </form>
  );
}
