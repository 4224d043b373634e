import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import { tierName } from "../i18n";
import { MEMBERS, PROGRAM } from "../queries";
import { useSession } from "../session";
import { Card, SelectField, TextField } from "../ui";
import MemberDetail from "./MemberDetail";

type Row = { cursor: string; node: { email: string; userId: string | null; points: { available: number; pending: number; lifetime: number }; tier: { id: string; name: string; nameHe: string } | null } };
type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Row[] };
type Tier = { id: string; name: string; nameHe: string };

export default function Members() {
  const { club, channel, t, lang } = useSession();
  const [filters, setFilters] = useState({ search: "", tierId: "", balanceMin: "", balanceMax: "" });
  const [applied, setApplied] = useState(filters);
  const [after, setAfter] = useState<string | null>(null);
  const [page, setPage] = useState<Page | null>(null);
  const [tiers, setTiers] = useState<Tier[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    if (!channel) return;
    club<{ program: { tiers: Tier[] } }>(PROGRAM, { channel }).then((d) => setTiers(d.program.tiers)).catch(() => undefined);
  }, [club, channel]);

  useEffect(() => {
    if (!channel || open) return;
    const filter: Record<string, unknown> = {};
    if (applied.search) filter.search = applied.search;
    if (applied.tierId) filter.tierId = applied.tierId;
    if (applied.balanceMin !== "") filter.balanceMin = Number(applied.balanceMin);
    if (applied.balanceMax !== "") filter.balanceMax = Number(applied.balanceMax);
    let live = true; // a slower answer to an older filter must never overwrite the newer one
    club<{ members: Page }>(MEMBERS, { channel, filter, first: 20, after })
      .then((d) => { if (live) { setPage(d.members); setError(""); } })
      .catch((e: Error) => live && setError(e.message));
    return () => { live = false; };
  }, [club, channel, applied, after, open]);

  if (open) return <MemberDetail userId={open} onBack={() => setOpen(null)} />;
  return (
    <Box display="grid" gap={4}>
      <Card>
        <form className="filters" onSubmit={(e) => { e.preventDefault(); setAfter(null); setApplied(filters); }}>
          <TextField name="search" label={t("search")} value={filters.search} onChange={(v) => setFilters({ ...filters, search: v })} />
          <SelectField name="tierId" label={t("tier")} value={filters.tierId} onChange={(v) => setFilters({ ...filters, tierId: v })}
            options={[{ value: "", label: t("anyTier") }, ...tiers.map((x) => ({ value: x.id, label: tierName(x, lang) }))]} />
          <TextField name="balanceMin" type="number" label={t("balanceMin")} value={filters.balanceMin} onChange={(v) => setFilters({ ...filters, balanceMin: v })} />
          <TextField name="balanceMax" type="number" label={t("balanceMax")} value={filters.balanceMax} onChange={(v) => setFilters({ ...filters, balanceMax: v })} />
          <Button type="submit" variant="secondary">{t("apply")}</Button>
        </form>
      </Card>
      {error ? <Text role="alert" color="critical1">{error}</Text> : null}
      <Card title={page ? `${t("members")} (${page.totalCount})` : t("members")}>
        <table className="table" data-testid="members-table">
          <thead><tr><th>{t("email")}</th><th>{t("tier")}</th><th className="num">{t("available")}</th><th className="num">{t("pending")}</th><th className="num">{t("lifetime")}</th><th /></tr></thead>
          <tbody>
            {page?.edges.map(({ node, cursor }) => (
              <tr key={cursor}>
                <td>{node.email}</td>
                <td>{tierName(node.tier, lang)}</td>
                <td className="num">{node.points.available}</td>
                <td className="num">{node.points.pending}</td>
                <td className="num">{node.points.lifetime}</td>
                <td>{node.userId ? <Button variant="tertiary" size="small" onClick={() => setOpen(node.userId)} aria-label={`${t("open")} ${node.email}`}>{t("open")}</Button> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Box display="flex" gap={2} marginTop={3}>
          {after ? <Button variant="secondary" onClick={() => setAfter(null)}>{t("first")}</Button> : null}
          {page?.pageInfo.hasNextPage ? <Button variant="secondary" onClick={() => setAfter(page.pageInfo.endCursor)}>{t("next")}</Button> : null}
        </Box>
      </Card>
    </Box>
  );
}
