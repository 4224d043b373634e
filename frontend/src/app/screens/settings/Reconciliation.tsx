import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";
import type { FieldError } from "../../api";
import { formatDate } from "../../i18n";
import { RECONCILIATION_FINDINGS, RECONCILIATION_REPAIR } from "../../staffQueries";
import { useSession } from "../../session";
import { Card, FieldErrorText, TextField, useMutationForm } from "../../ui";

export type Finding = {
  id: string; check: string; email: string; userId: string | null; expected: string; found: string; drift: string;
  foundAt: string; resolvedAt: string | null; resolution: string; resolvedBy: string;
};

// A repair writes a ledger row, so it takes two steps: "Repair" asks, "Confirm repair" sends the one mutation.
export function FindingRow({ finding: f, onRepaired }: { finding: Finding; onRepaired: (f: Finding) => void }) {
  const { club, channel, t, lang } = useSession();
  const [reason, setReason] = useState("");
  const [asking, setAsking] = useState(false);
  const form = useMutationForm();
  const repair = () => form.submit(async () => (await club<{ loyaltyReconciliationRepair: { errors: FieldError[]; finding: Finding | null } }>(
    RECONCILIATION_REPAIR, { channel, findingId: f.id, reason })).loyaltyReconciliationRepair,
  (r) => { setAsking(false); if (r.finding) onRepaired(r.finding); });
  return (
    <tr data-testid={`finding-${f.id}`}>
      <td>{formatDate(f.foundAt, lang)}</td><td>{f.check}</td><td>{f.email}</td>
      <td className="num">{f.expected}</td><td className="num">{f.found}</td><td className="num">{f.drift}</td>
      <td>
        {f.resolvedAt ? <Text size={2} color="success1" role="status">{t("repaired")} · {f.resolution} · {f.resolvedBy}</Text> : (
          <Box display="grid" gap={2}>
            <TextField name="reason" label={t("reason")} value={reason} onChange={setReason} error={form.errors.reason} />
            {asking ? (
              <Box display="flex" gap={2}>
                <Button type="button" size="small" variant="error" disabled={form.busy} onClick={() => void repair()}>{t("confirmRepair")}</Button>
                <Button type="button" size="small" variant="secondary" onClick={() => setAsking(false)}>{t("cancel")}</Button>
              </Box>
            ) : <Button type="button" size="small" variant="secondary" onClick={() => setAsking(true)}>{t("repair")}</Button>}
            <FieldErrorText name={`finding-${f.id}`} error={form.errors[""] ?? form.errors.findingId ?? form.errors.finding_id} />
          </Box>
        )}
      </td>
    </tr>
  );
}

// The nightly reconciliation's open findings; a repaired one stays in the list (marked) until the next load.
export function Reconciliation() {
  const { club, channel, t } = useSession();
  const [findings, setFindings] = useState<Finding[] | null>(null);
  const [error, setError] = useState("");
  const load = useCallback(() => {
    club<{ reconciliationFindings: Finding[] }>(RECONCILIATION_FINDINGS, { channel })
      .then((d) => setFindings(d.reconciliationFindings)).catch((e: Error) => setError(e.message));
  }, [club, channel]);
  useEffect(load, [load]);
  const replace = (f: Finding) => setFindings((all) => (all ?? []).map((x) => (x.id === f.id ? f : x)));
  return (
    <Card title={t("reconciliation")} testId="reconciliation">
      {error ? <Text role="alert" color="critical1">{error}</Text> : !findings ? <Text>{t("loading")}</Text> : findings.length ? (
        <>
          <Text size={2} color="default2">{t("repairHelp")}</Text>
          <table className="table">
            <thead><tr><th>{t("when")}</th><th>{t("check")}</th><th>{t("email")}</th><th>{t("expected")}</th><th>{t("found")}</th><th>{t("drift")}</th><th /></tr></thead>
            <tbody>{findings.map((f) => <FindingRow key={f.id} finding={f} onRepaired={replace} />)}</tbody>
          </table>
        </>
      ) : <Text>{t("noFindings")}</Text>}
    </Card>
  );
}
