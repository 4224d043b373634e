// Fields the shared `ui.tsx` has no kind for (dates, long text, several choices); same error placement.
import { Text } from "@saleor/macaw-ui";
import { FieldErrorText } from "../ui";

type Common = { name: string; label: string; error?: string; className?: string };

export function PlainField({ name, label, error, value, onChange, type = "date", className }: Common & {
  value: string; onChange: (v: string) => void; type?: "date" | "datetime-local";
}) {
  return (
    <div className={`select ${className ?? ""}`}>
      <label htmlFor={`f-${name}`}><Text size={2} color="default2">{label}</Text></label>
      <input id={`f-${name}`} name={name} type={type} value={value} aria-invalid={Boolean(error)} onChange={(e) => onChange(e.target.value)} />
      <FieldErrorText name={name} error={error} />
    </div>
  );
}

export function AreaField({ name, label, error, value, onChange, help }: Common & { value: string; onChange: (v: string) => void; help?: string }) {
  return (
    <div className="select wide">
      <label htmlFor={`f-${name}`}><Text size={2} color="default2">{label}</Text></label>
      <textarea id={`f-${name}`} name={name} value={value} aria-invalid={Boolean(error)} onChange={(e) => onChange(e.target.value)} />
      {help ? <Text size={1} color="default2">{help}</Text> : null}
      <FieldErrorText name={name} error={error} />
    </div>
  );
}

// Several choices as checkboxes; `value` is the chosen ones, in the options' order.
export function ChoicesField({ name, label, error, value, onChange, options }: Common & {
  value: string[]; onChange: (v: string[]) => void; options: { value: string; label: string }[];
}) {
  const toggle = (v: string, on: boolean) => onChange(options.map((o) => o.value).filter((o) => (o === v ? on : value.includes(o))));
  return (
    <fieldset className="select wide" aria-invalid={Boolean(error)}>
      <legend><Text size={2} color="default2">{label}</Text></legend>
      {options.map((o) => (
        <label key={o.value} className="check">
          <input type="checkbox" name={name} value={o.value} checked={value.includes(o.value)} onChange={(e) => toggle(o.value, e.target.checked)} />
          <Text size={3}>{o.label}</Text>
        </label>
      ))}
      <FieldErrorText name={name} error={error} />
    </fieldset>
  );
}
