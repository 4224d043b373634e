import { useEffect, useRef, useState } from "react";
import type { FieldError } from "../api";
import { tierName } from "../i18n";
import { POINTS_ADJUST, PROGRAM, TIER_OVERRIDE } from "../queries";
import { useSession } from "../session";
import { SelectField, SubmitRow, TextField, useMutationForm } from "../ui";

type Tier = { id: string; name: string; nameHe: string };

export function AdjustPointsForm({ userId, onDone }: { userId: string; onDone?: () => void }) {
  const { club, channel, t, notify } = useSession();
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  const form = useMutationForm();
  // One key per intended adjustment: a double click or a retry after a timeout adjusts once.
  const key = useRef(crypto.randomUUID());
  return (
    <form aria-label={t("adjust")} onSubmit={(e) => {
      e.preventDefault();
      const n = Number.parseInt(points, 10);
      if (!Number.isFinite(n)) { form.setErrors({ points: "≠ 0" }); return; }
      void form.submit(
        () => club<{ loyaltyPointsAdjust: { errors: FieldError[] } }>(POINTS_ADJUST, { channel, userId, points: n, reason, key: key.current }).then((d) => d.loyaltyPointsAdjust),
        () => { key.current = crypto.randomUUID(); setPoints(""); setReason(""); notify("success", t("saved")); onDone?.(); },
      );
    }}>
      <div className="form-grid">
        <TextField name="points" type="number" label={t("points")} help={t("adjustHelp")} value={points} onChange={setPoints} error={form.errors.points} />
        <TextField name="reason" label={t("reason")} value={reason} onChange={setReason} error={form.errors.reason} />
      </div>
      <SubmitRow busy={form.busy} saved={form.saved} label={t("adjust")} savedLabel={t("saved")} error={form.errors[""]} />
    </form>
  );
}

export function TierOverrideForm({ userId, current, onDone }: { userId: string; current?: string | null; onDone?: () => void }) {
  const { club, channel, t, lang, notify } = useSession();
  const [tiers, setTiers] = useState<Tier[]>([]);
  const [tierId, setTierId] = useState(current ?? "");
  const [reason, setReason] = useState("");
  const form = useMutationForm();
  useEffect(() => {
    if (!channel) return;
    club<{ program: { tiers: Tier[] } }>(PROGRAM, { channel }).then((d) => setTiers(d.program.tiers)).catch(() => undefined);
  }, [club, channel]);
  return (
    <form aria-label={t("override")} onSubmit={(e) => {
      e.preventDefault();
      void form.submit(
        () => club<{ loyaltyTierOverride: { errors: FieldError[] } }>(TIER_OVERRIDE, { channel, userId, tierId: tierId || null, reason }).then((d) => d.loyaltyTierOverride),
        () => { setReason(""); notify("success", t("saved")); onDone?.(); },
      );
    }}>
      <div className="form-grid">
        <SelectField name="tierId" label={t("tier")} value={tierId} onChange={setTierId} error={form.errors.tierId}
          options={[{ value: "", label: t("noOverride") }, ...tiers.map((x) => ({ value: x.id, label: tierName(x, lang) }))]} />
        <TextField name="overrideReason" label={t("reason")} value={reason} onChange={setReason} error={form.errors.reason} />
      </div>
      <SubmitRow busy={form.busy} saved={form.saved} label={t("override")} savedLabel={t("saved")} error={form.errors[""]} />
    </form>
  );
}
