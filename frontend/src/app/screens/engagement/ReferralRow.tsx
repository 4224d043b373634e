import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import type { FieldError } from "../../api";
import { formatDate, formatMoney } from "../../i18n";
import { REFERRAL_REVIEW } from "../../queries";
import { useSession } from "../../session";
import { FieldErrorText, TextField, useMutationForm } from "../../ui";
import type { Money } from "./types";

export type Referral = {
  id: string; status: string; reasonCode: string | null; reason: string | null; rewardPoints: number; created: string; referrerEmail: string;
  friendEmail: string | null; orderNumber: string | null; orderTotal: Money | null; signals: string[]; reviewedBy: string | null;
};

// A held referral is approved or rejected (with a reason) in one mutation; its errors stand in the row.
export function ReferralRow({ referral: r, onSaved }: { referral: Referral; onSaved: (r: Referral) => void }) {
  const { club, channel, t, lang } = useSession();
  const [reason, setReason] = useState("");
  const form = useMutationForm();
  const review = (approve: boolean) => form.submit(
    async () => (await club<{ loyaltyReferralReview: { errors: FieldError[]; referral: Referral | null } }>(REFERRAL_REVIEW, {
      channel, id: r.id, approve, reason: reason || null,
    })).loyaltyReferralReview,
    (result) => result.referral && onSaved(result.referral),
  );
  return (
    <tr data-testid={`referral-${r.id}`}>
      <td>{formatDate(r.created, lang)}</td><td>{r.referrerEmail}</td><td>{r.friendEmail ?? "—"}</td>
      <td>{r.orderNumber ? `#${r.orderNumber}${r.orderTotal ? ` · ${formatMoney(r.orderTotal.amount, r.orderTotal.currency, lang)}` : ""}` : "—"}</td>
      <td>{r.status}</td><td>{r.reason ?? "—"}</td><td>{r.signals.join(", ") || "—"}</td>
      <td>
        {r.status === "HELD" ? (
          <Box display="grid" gap={2}>
            <TextField name="reason" label={t("rejectReason")} value={reason} onChange={setReason} error={form.errors.reason} />
            <Box display="flex" gap={2}>
              <Button type="button" size="small" variant="primary" disabled={form.busy} onClick={() => void review(true)}>{t("approve")}</Button>
              <Button type="button" size="small" variant="error" disabled={form.busy} onClick={() => void review(false)}>{t("reject")}</Button>
            </Box>
            <FieldErrorText name="form" error={form.errors[""] ?? form.errors.id} />
          </Box>
        ) : r.reviewedBy ? <Text size={2} color="default2">{r.reviewedBy}</Text> : null}
      </td>
    </tr>
  );
}
