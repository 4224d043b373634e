import { Box, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import type { FieldError } from "../../api";
import { CONSENT_EXPORT, CONSENT_IMPORT } from "../../queries";
import { useSession } from "../../session";
import { Card, FieldErrorText, SelectField, SubmitRow, TextField, useMutationForm } from "../../ui";

type Exported = { errors: FieldError[]; content: string | null; filename: string | null };
type RowError = { row: number; field: string; message: string; code: string };
type Imported = { errors: FieldError[]; rows: number | null; created: number | null; alreadyImported: number | null; rowErrors: RowError[] };

// The browser saves the export as a file; nothing of it stays in the page.
export function download(filename: string, content: string, type: string) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}

// The header the API expects first (at most 100 lines per import).
const CSV_HEADER = "medium,address,action,occurred_at,wording,locale,origin,evidence";

export function csvLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim() !== "");
}

export function ConsentExportForm() {
  const { club, channel, t } = useSession();
  const [draft, setDraft] = useState({ address: "", medium: "EMAIL", format: "CSV" });
  const form = useMutationForm();
  const set = (k: keyof typeof draft) => (v: string) => setDraft({ ...draft, [k]: v });
  return (
    <form data-testid="consent-export" aria-label={t("consentTitle")} onSubmit={(e) => {
      e.preventDefault();
      void form.submit(async () => (await club<{ loyaltyConsentEvidenceExport: Exported }>(CONSENT_EXPORT, { channel, ...draft, address: draft.address.trim() })).loyaltyConsentEvidenceExport,
        (r) => { if (r.content != null) download(r.filename ?? `consent.${draft.format.toLowerCase()}`, r.content, draft.format === "CSV" ? "text/csv" : "application/json"); });
    }}>
      <div className="form-grid">
        <TextField name="address" label={t("address")} value={draft.address} onChange={set("address")} error={form.errors.address} />
        <SelectField name="medium" label={t("medium")} value={draft.medium} onChange={set("medium")} error={form.errors.medium} options={["EMAIL", "SMS"].map((v) => ({ value: v, label: v }))} />
        <SelectField name="format" label={t("format")} value={draft.format} onChange={set("format")} error={form.errors.format} options={["CSV", "JSON"].map((v) => ({ value: v, label: v }))} />
      </div>
      <SubmitRow busy={form.busy} saved={form.saved} label={t("exportEvidence")} savedLabel={t("saved")} error={form.errors[""]} />
    </form>
  );
}

// All or nothing: one bad row and no consent is written; each row's errors are listed with their line.
export function ConsentImportForm() {
  const { club, channel, t } = useSession();
  const [lines, setLines] = useState<string[]>([]);
  const [result, setResult] = useState<Imported | null>(null);
  const form = useMutationForm();
  return (
    <form data-testid="consent-import" aria-label={t("importConsents")} onSubmit={(e) => {
      e.preventDefault();
      void form.submit(async () => {
        const r = (await club<{ loyaltyConsentImport: Imported }>(CONSENT_IMPORT, { channel, csvLines: lines })).loyaltyConsentImport;
        setResult(r);
        return r;
      });
    }}>
      <div className="select">
        <label htmlFor="f-csvFile"><Text size={2} color="default2">{t("csvFile")}</Text></label>
        <input id="f-csvFile" name="csvFile" type="file" accept=".csv,text/csv"
          onChange={(e) => { const file = e.target.files?.[0]; setResult(null); if (file) void file.text().then((text) => setLines(csvLines(text))); }} />
        <Text size={1} color="default2"><code>{CSV_HEADER}</code></Text>
        <FieldErrorText name="csvLines" error={form.errors.csvLines} />
      </div>
      <SubmitRow busy={form.busy || !lines.length} saved={form.saved} label={t("importRun")} savedLabel={result ? `${t("imported")}: ${result.created ?? 0} · ${t("alreadyImported")}: ${result.alreadyImported ?? 0}` : t("saved")} error={form.errors[""]} />
      {result?.rowErrors.length ? (
        <table className="table" data-testid="row-errors">
          <thead><tr><th>{t("row")}</th><th>{t("field")}</th><th>{t("error")}</th></tr></thead>
          <tbody>{result.rowErrors.map((r, i) => <tr key={i} data-row-error={`${r.row}-${r.field}`}><td className="num">{r.row}</td><td>{r.field}</td><td>{r.message}</td></tr>)}</tbody>
        </table>
      ) : null}
    </form>
  );
}

export function ConsentCard() {
  const { t } = useSession();
  return (
    <Card title={t("consentTitle")} testId="consent">
      <Box display="grid" gap={4}><ConsentExportForm /><ConsentImportForm /></Box>
    </Card>
  );
}
