import { useRef, useState } from "react";
import type { FieldError } from "../../api";
import { tierName, type Key } from "../../i18n";
import { BULK_GRANT, memberIdsQuery } from "../../queries";
import { useSession } from "../../session";
import { SelectField, SubmitRow, TextField, useMutationForm } from "../../ui";
import { AreaField } from "../fields";
import { intOrNull, textOrNull, type Choices, type Draft } from "./types";

type Grant = { id: string; state: string; granted: number; skipped: number };

// The list's entries: Saleor customer IDs, or emails the club resolves to them first.
export function listEntries(text: string): { ids: string[]; emails: string[] } {
  const entries = [...new Set(text.split(/[\s,;]+/).filter(Boolean))];
  return { ids: entries.filter((e) => !e.includes("@")), emails: entries.filter((e) => e.includes("@")) };
}

// The grant's members: the listed ones (by Saleor ID) or everyone the member list's filter finds.
export function grantVariables(d: Draft, key: string, userIds: string[]): Record<string, unknown> {
  const byList = d.to === "list";
  const filter = { tierId: textOrNull(d.tierId), balanceMin: intOrNull(d.balanceMin), balanceMax: intOrNull(d.balanceMax), search: textOrNull(d.search) };
  return {
    points: intOrNull(d.points) ?? 0, reason: String(d.reason).trim(), key,
    userIds: byList ? userIds : null, filter: byList ? null : Object.fromEntries(Object.entries(filter).filter(([, v]) => v != null)),
  };
}

const EMPTY_GRANT: Draft = { to: "list", userIds: "", tierId: "", balanceMin: "", balanceMax: "", search: "", points: "", reason: "" };

export function BulkGrantForm({ choices, onGranted }: { choices: Choices; onGranted?: () => void }) {
  const { club, channel, t, lang } = useSession();
  const [draft, setDraft] = useState<Draft>(EMPTY_GRANT);
  const [grant, setGrant] = useState<Grant | null>(null);
  const form = useMutationForm();
  // One key per intended grant: a double click or a retry grants once.
  const key = useRef(crypto.randomUUID());
  const set = (k: string) => (v: string | boolean) => setDraft({ ...draft, [k]: v });
  const text = (k: Key, type: "text" | "number" = "text") => <TextField key={k} name={k} type={type} label={t(k)} value={String(draft[k])} onChange={set(k)} error={form.errors[k]} />;
  return (
    <form data-testid="bulk-grant" aria-label={t("bulkGrant")} onSubmit={(e) => {
      e.preventDefault();
      void form.submit(async () => {
        const { ids, emails } = listEntries(draft.to === "list" ? String(draft.userIds) : "");
        if (emails.length) {
          // An email that is not a member stops the whole grant before anything is written.
          const found = await club<Record<string, { userId: string | null } | null>>(memberIdsQuery(emails),
            { channel, ...Object.fromEntries(emails.map((e, i) => [`e${i}`, e])) }, { partial: true });
          const missing = emails.filter((_, i) => !found[`m${i}`]?.userId);
          if (missing.length) return { errors: [{ field: "userIds", message: `${t("notMembers")}: ${missing.join(", ")}`, code: "NOT_FOUND" }], grant: null };
          ids.push(...emails.map((_, i) => found[`m${i}`]!.userId!));
        }
        return (await club<{ loyaltyBulkGrantCreate: { errors: FieldError[]; grant: Grant | null } }>(BULK_GRANT, {
          channel, ...grantVariables(draft, key.current, ids),
        })).loyaltyBulkGrantCreate;
      }, (r) => { setGrant(r.grant); key.current = crypto.randomUUID(); setDraft(EMPTY_GRANT); onGranted?.(); });
    }}>
      <div className="form-grid">
        <SelectField name="to" label={t("grantTo")} value={String(draft.to)} onChange={set("to")}
          options={[{ value: "list", label: t("grantList") }, { value: "filter", label: t("grantFilter") }]} />
        {text("points", "number")}
        {text("reason")}
        {draft.to === "list"
          ? <AreaField name="userIds" label={t("userIds")} help={t("userIdsHelp")} value={String(draft.userIds)} onChange={set("userIds")} error={form.errors.userIds} />
          : <>
            <SelectField name="tierId" label={t("tier")} value={String(draft.tierId)} onChange={set("tierId")} error={form.errors.tierId}
              options={[{ value: "", label: t("anyTier") }, ...choices.tiers.map((x) => ({ value: x.id, label: tierName(x, lang) }))]} />
            {text("balanceMin", "number")}{text("balanceMax", "number")}{text("search")}
          </>}
      </div>
      <SubmitRow busy={form.busy} saved={form.saved} label={t("grant")} savedLabel={grant ? `${t("granted")}: ${grant.granted} · ${t("skipped")}: ${grant.skipped}` : t("saved")}
        error={form.errors[""] ?? form.errors.filter ?? form.errors.idempotencyKey} />
    </form>
  );
}
