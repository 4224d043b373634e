// Form pieces: every field shows the API's typed error for it (`errors[field]`), right under it.
import { Box, Button, Input, Text } from "@saleor/macaw-ui";
import { useState, type ReactNode } from "react";
import { errorsByField, type FieldError } from "./api";

type Common = { name: string; label: string; error?: string };

export function FieldErrorText({ name, error }: { name: string; error?: string }) {
  if (!error) return null;
  return (
    <Text id={`${name}-error`} role="alert" size={2} color="critical1" data-field-error={name}>
      {error}
    </Text>
  );
}

export function TextField({ name, label, error, value, onChange, type = "text", help }: Common & {
  value: string | number; onChange: (v: string) => void; type?: "text" | "number" | "email"; help?: string;
}) {
  return (
    <Box display="flex" flexDirection="column" gap={1}>
      <Input
        id={`f-${name}`} name={name} label={label} type={type} value={String(value ?? "")} error={Boolean(error)}
        aria-invalid={Boolean(error)} aria-describedby={error ? `${name}-error` : undefined}
        helperText={help} onChange={(e) => onChange(e.target.value)} size="small"
      />
      <FieldErrorText name={name} error={error} />
    </Box>
  );
}

export function CheckField({ name, label, error, checked, onChange }: Common & { checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <Box display="flex" flexDirection="column" gap={1}>
      <label className="check">
        <input type="checkbox" name={name} checked={checked} onChange={(e) => onChange(e.target.checked)} />
        <Text size={3}>{label}</Text>
      </label>
      <FieldErrorText name={name} error={error} />
    </Box>
  );
}

export function SelectField({ name, label, error, value, onChange, options }: Common & {
  value: string; onChange: (v: string) => void; options: { value: string; label: string }[];
}) {
  return (
    <Box display="flex" flexDirection="column" gap={1}>
      <label className="select">
        <Text size={2} color="default2">{label}</Text>
        <select name={name} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={Boolean(error)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>{o.label}</option>
          ))}
        </select>
      </label>
      <FieldErrorText name={name} error={error} />
    </Box>
  );
}

export function Card({ title, children, testId }: { title?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <Box className="card" data-testid={testId} padding={5} borderRadius={4} borderWidth={1} borderStyle="solid" borderColor="default1" backgroundColor="default1">
      {title ? <Text as="h2" size={5} fontWeight="bold" marginBottom={3} display="block">{title}</Text> : null}
      {children}
    </Box>
  );
}

export function Stat({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <Box display="flex" flexDirection="column" data-testid={testId}>
      <Text size={2} color="default2">{label}</Text>
      <Text size={7} fontWeight="bold">{value}</Text>
    </Box>
  );
}

type MutationResult = { errors: FieldError[] };

// One submit, one mutation: the API saves all of it or none of it, and its errors land on the fields.
export function useMutationForm() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  async function submit<T extends MutationResult>(run: () => Promise<T>, onOk?: (r: T) => void) {
    setBusy(true);
    setSaved(false);
    try {
      const result = await run();
      const byField = errorsByField(result.errors);
      setErrors(byField);
      if (!result.errors.length) {
        setSaved(true);
        onOk?.(result);
      }
    } catch (e) {
      setErrors({ "": (e as Error).message });
    } finally {
      setBusy(false);
    }
  }
  return { errors, busy, saved, submit, setErrors };
}

export function SubmitRow({ busy, saved, label, savedLabel, error }: { busy: boolean; saved: boolean; label: string; savedLabel: string; error?: string }) {
  return (
    <Box display="flex" gap={3} alignItems="center" marginTop={3}>
      <Button type="submit" disabled={busy} variant="primary">{label}</Button>
      {saved ? <Text size={2} color="success1" role="status">{savedLabel}</Text> : null}
      <FieldErrorText name="form" error={error} />
    </Box>
  );
}
