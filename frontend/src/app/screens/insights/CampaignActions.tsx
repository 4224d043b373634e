import { Box, Button } from "@saleor/macaw-ui";
import { useState } from "react";
import type { FieldError } from "../../api";
import { CAMPAIGN_CANCEL, CAMPAIGN_SCHEDULE } from "../../queries";
import { useSession } from "../../session";
import { FieldErrorText, useMutationForm } from "../../ui";
import { PlainField } from "../fields";
import type { CampaignSettings } from "./types";

// A local "send at" (the browser's time) as an instant with its offset, which the API requires.
export function sendAtOf(local: string): string | null {
  return local ? new Date(local).toISOString() : null;
}

// A draft is scheduled (at a time, or now) or cancelled; a scheduled or sending one can still be cancelled.
export function CampaignActions({ campaign: c, onDone }: { campaign: CampaignSettings; onDone: () => void }) {
  const { club, channel, t } = useSession();
  const [sendAt, setSendAt] = useState("");
  const form = useMutationForm();
  type Result = { errors: FieldError[] };
  const schedule = (at: string | null) => form.submit(
    async () => (await club<{ loyaltyCampaignSchedule: Result }>(CAMPAIGN_SCHEDULE, { channel, id: c.id, sendAt: at })).loyaltyCampaignSchedule, onDone);
  const cancel = () => form.submit(
    async () => (await club<{ loyaltyCampaignCancel: Result }>(CAMPAIGN_CANCEL, { channel, id: c.id })).loyaltyCampaignCancel, onDone);
  const draft = c.status === "DRAFT";
  if (!draft && !["SCHEDULED", "SENDING"].includes(c.status)) return null;
  return (
    <Box display="flex" gap={2} alignItems="flex-end" flexWrap="wrap" data-testid={`campaign-actions-${c.id}`}>
      {draft ? <>
        <PlainField name={`sendAt-${c.id}`} type="datetime-local" label={t("sendAt")} value={sendAt} onChange={setSendAt} error={form.errors.sendAt} />
        <Button type="button" size="small" variant="secondary" disabled={form.busy || !sendAt} onClick={() => void schedule(sendAtOf(sendAt))}>{t("schedule")}</Button>
        <Button type="button" size="small" variant="primary" disabled={form.busy} onClick={() => void schedule(null)}>{t("sendNow")}</Button>
      </> : null}
      <Button type="button" size="small" variant="error" disabled={form.busy} onClick={() => void cancel()}>{t("cancelCampaign")}</Button>
      <FieldErrorText name={`campaign-${c.id}`} error={form.errors[""] ?? form.errors.id} />
    </Box>
  );
}
