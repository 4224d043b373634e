import { Box, Button, Text } from "@saleor/macaw-ui";
import { useCallback, useEffect, useState } from "react";
import { formatDate, formatMoney, tierName } from "../i18n";
import { MEMBER } from "../queries";
import { useSession } from "../session";
import { Card, Stat } from "../ui";
import { AdjustPointsForm, TierOverrideForm } from "./MemberForms";

type TierRef = { id: string; name: string; nameHe: string } | null;
type Txn = { id: string; kind: string; points: number; reason: string; orderNumber: string | null; created: string; expiresAt: string | null };
export type MemberData = {
  email: string; userId: string | null;
  points: { available: number; pending: number; lifetime: number; debt: number };
  pointsValue: { amount: number; currency: string };
  storeCredit: { amount: number; currency: string };
  nextExpiring: { points: number; expiresAt: string } | null;
  tier: TierRef; nextTier: TierRef; tierFloor: TierRef;
  progress: { basis: string; current: number; target: number | null; remaining: number | null; percent: number | null } | null;
  transactions: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Txn }[] };
  tierHistory: { cause: string; fromTier: string | null; toTier: string | null; reason: string; actor: string; created: string }[];
};

export function useMember(userId: string | null) {
  const { club, channel } = useSession();
  const [member, setMember] = useState<MemberData | null | undefined>(undefined);
  const [error, setError] = useState("");
  const load = useCallback(() => {
    if (!channel || !userId) return;
    club<{ member: MemberData | null }>(MEMBER, { channel, userId, first: 20 })
      .then((d) => { setMember(d.member); setError(""); })
      .catch((e: Error) => setError(e.message));
  }, [club, channel, userId]);
  useEffect(load, [load]);
  return { member, error, reload: load, setMember };
}

export function Progress({ member }: { member: MemberData }) {
  const { t, lang } = useSession();
  const p = member.progress;
  const percent = Math.max(0, Math.min(100, p?.percent ?? 100));
  return (
    <Box display="flex" flexDirection="column" gap={1}>
      <Text size={3}>{tierName(member.tier, lang)}{member.nextTier ? ` → ${tierName(member.nextTier, lang)}` : ` (${t("top")})`}</Text>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(percent)} aria-label={t("nextTier")}>
        <span style={{ width: `${percent}%` }} />
      </div>
      {p?.remaining != null && member.nextTier ? <Text size={2} color="default2">{p.basis === "SPEND" ? formatMoney(p.remaining, member.pointsValue.currency, lang) : `${p.remaining} ${t("points")}`} {t("toNext")} {tierName(member.nextTier, lang)}</Text> : null}
    </Box>
  );
}

export function MemberSummary({ member }: { member: MemberData }) {
  const { t, lang } = useSession();
  return (
    <Box display="flex" gap={6} flexWrap="wrap" alignItems="flex-start">
      <Stat testId="balance" label={t("available")} value={member.points.available} />
      <Stat label={t("pending")} value={member.points.pending} />
      <Stat label={t("worth")} value={formatMoney(member.pointsValue.amount, member.pointsValue.currency, lang)} />
      {member.points.debt ? <Stat label={t("debt")} value={member.points.debt} /> : null}
      <Stat label={t("storeCredit")} value={formatMoney(member.storeCredit.amount, member.storeCredit.currency, lang)} />
      {member.nextExpiring ? <Stat label={`${t("expiring")} ${formatDate(member.nextExpiring.expiresAt, lang)}`} value={member.nextExpiring.points} /> : null}
    </Box>
  );
}

export function History({ rows, compact }: { rows: Txn[]; compact?: boolean }) {
  const { t, lang } = useSession();
  return (
    <table className="table" data-testid="history">
      <thead><tr><th>{t("when")}</th><th>{t("kind")}</th><th className="num">{t("points")}</th>{compact ? null : <th>{t("reason")}</th>}<th>{t("order")}</th></tr></thead>
      <tbody>
        {rows.map((x) => (
          <tr key={x.id}>
            <td>{formatDate(x.created, lang)}</td><td>{x.kind.toLowerCase().replace("_", " ")}</td>
            <td className={`num ${x.points < 0 ? "neg" : "pos"}`} dir="ltr">{x.points > 0 ? `+${x.points}` : x.points}</td>
            {compact ? null : <td>{x.reason}</td>}<td>{x.orderNumber ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function MemberDetail({ userId, onBack }: { userId: string; onBack?: () => void }) {
  const { t, club, channel, lang } = useSession();
  const { member, error, reload } = useMember(userId);
  const [extra, setExtra] = useState<Txn[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  useEffect(() => { setExtra([]); setCursor(member?.transactions.pageInfo.endCursor ?? null); }, [member]);
  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (member === undefined) return <Text>{t("loading")}</Text>;
  if (member === null) return <Text>{t("customerNotMember")}</Text>;
  const rows = [...member.transactions.edges.map((e) => e.node), ...extra];
  const more = rows.length < member.transactions.totalCount && cursor;
  return (
    <Box display="grid" gap={4} data-testid="member-detail">
      {onBack ? <Box><Button variant="tertiary" onClick={onBack}>{lang === "he" ? "→" : "←"} {t("back")}</Button></Box> : null}
      <Card title={member.email}>
        <MemberSummary member={member} />
        <Box marginTop={4}><Progress member={member} /></Box>
      </Card>
      <Box display="grid" gap={4} className="two-col">
        <Card title={t("adjust")}><AdjustPointsForm userId={userId} onDone={reload} /></Card>
        <Card title={t("override")}><TierOverrideForm userId={userId} current={member.tierFloor?.id} onDone={reload} /></Card>
      </Box>
      <Card title={`${t("history")} (${member.transactions.totalCount})`}>
        <History rows={rows} />
        {more ? <Button variant="secondary" marginTop={3} onClick={async () => {
          const d = await club<{ member: MemberData }>(MEMBER, { channel, userId, first: 20, after: cursor });
          setExtra((x) => [...x, ...d.member.transactions.edges.map((e) => e.node)]);
          setCursor(d.member.transactions.pageInfo.endCursor);
        }}>{t("more")}</Button> : null}
      </Card>
      {member.tierHistory.length ? (
        <Card title={t("tierHistory")}>
          <table className="table"><tbody>
            {member.tierHistory.map((h, i) => <tr key={i}><td>{formatDate(h.created, lang)}</td><td>{h.cause.toLowerCase().replace(/_/g, " ")}</td><td>{h.fromTier ?? "—"} → {h.toTier ?? "—"}</td><td>{h.reason}</td><td>{h.actor}</td></tr>)}
          </tbody></table>
        </Card>
      ) : null}
    </Box>
  );
}
