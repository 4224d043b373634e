import { Box, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import type { FieldError } from "../api";
import { formatDate, monthWindow, type Key } from "../i18n";
import { RECOVERY_SETTINGS, RECOVERY_UPDATE } from "../queries";
import { useSession } from "../session";
import { Card, CheckField, Stat, SubmitRow, TextField, useMutationForm } from "../ui";

const FLAGS: Key[] = ["recoveryEnabled", "clubMessagesEnabled", "observeShabbat"];
const TEXTS: Key[] = ["senderName", "senderEmail", "contactAddress", "replyTo", "restoreUrlTemplate", "timezone", "defaultLanguage"];
const INTS: Key[] = ["abandonAfterMinutes", "lostAfterDays", "holdoutPercent", "lastStepDiscountPercent", "incentiveHours", "attributionDays"];

type Data = {
  recoverySettings: Record<string, unknown> & { steps: { afterMinutes: number; medium: string }[]; country: string };
  recoveryStats: { abandonedCount: number; remindedCount: number; recoveredCount: number; unsubscribes: number } | null;
  messageLog: { edges: { node: { id: string; category: string; medium: string; recipient: string; status: string; reason: string; createdAt: string } }[] };
};

export default function Recovery() {
  const { club, channel, t, lang } = useSession();
  const [data, setData] = useState<Data | null>(null);
  const [draft, setDraft] = useState<Record<string, string | boolean>>({});
  const [error, setError] = useState("");
  const form = useMutationForm();
  useEffect(() => {
    if (!channel) return;
    club<Data>(RECOVERY_SETTINGS, { channel, ...monthWindow() }).then((d) => {
      setData(d);
      const next: Record<string, string | boolean> = {};
      for (const k of FLAGS) next[k] = Boolean(d.recoverySettings[k]);
      for (const k of [...TEXTS, ...INTS]) next[k] = String(d.recoverySettings[k] ?? "");
      setDraft(next);
    }).catch((e: Error) => setError(e.message));
  }, [club, channel]);
  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (!data) return <Text>{t("loading")}</Text>;
  const set = (k: string) => (v: string | boolean) => setDraft({ ...draft, [k]: v });
  const s = data.recoveryStats;
  return (
    <Box display="grid" gap={4}>
      {s ? <Card title={t("since")}><Box display="flex" gap={6}><Stat label={t("abandoned")} value={s.abandonedCount} /><Stat label={t("reminded")} value={s.remindedCount} /><Stat label={t("recovered")} value={s.recoveredCount} /><Stat label={t("unsubscribes")} value={s.unsubscribes} /></Box></Card> : null}
      <Card title={t("recovery")}>
        <form aria-label={t("recovery")} onSubmit={(e) => {
          e.preventDefault();
          const input: Record<string, unknown> = {};
          for (const k of FLAGS) input[k] = Boolean(draft[k]);
          for (const k of TEXTS) input[k] = String(draft[k]);
          for (const k of INTS) input[k] = Number.parseInt(String(draft[k]), 10);
          void form.submit(async () => (await club<{ loyaltyRecoverySettingsUpdate: { errors: FieldError[] } }>(RECOVERY_UPDATE, { channel, input })).loyaltyRecoverySettingsUpdate);
        }}>
          <div className="form-grid">
            {FLAGS.map((k) => <CheckField key={k} name={k} label={t(k)} checked={Boolean(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
            {TEXTS.map((k) => <TextField key={k} name={k} label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
            {INTS.map((k) => <TextField key={k} name={k} type="number" label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />)}
          </div>
          <Text size={2} color="default2">{data.recoverySettings.steps.map((x) => `${x.medium} +${x.afterMinutes}′`).join(" → ")}</Text>
          <SubmitRow busy={form.busy} saved={form.saved} label={t("save")} savedLabel={t("saved")} error={form.errors[""] ?? form.errors.steps} />
        </form>
      </Card>
      <Card title={t("messageLog")}>
        <table className="table"><tbody>
          {data.messageLog.edges.map(({ node: m }) => <tr key={m.id}><td>{formatDate(m.createdAt, lang)}</td><td>{m.category}</td><td>{m.medium}</td><td>{m.recipient}</td><td>{m.status}</td><td>{m.reason}</td></tr>)}
        </tbody></table>
      </Card>
    </Box>
  );
}
