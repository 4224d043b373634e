// The recovery screen's read-only parts: the reminder previews and the two cursor-paged lists.
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useState, type ReactNode } from "react";
import { formatDate, formatMoney } from "../i18n";
import { ABANDONED_CHECKOUTS, MESSAGE_LOG, RECOVERY_PREVIEW } from "../queries";
import { useSession } from "../session";
import { Card } from "../ui";

type Connection<N> = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: N }[] };
type Money = { amount: number; currency: string };
export type Abandoned = { checkoutId: string; email: string; state: string; stateReason: string; total: Money; abandonedAt: string; nextActionAt: string | null; remindersSent: number };
export type Message = { id: string; category: string; medium: string; recipient: string; status: string; reason: string; subject: string; createdAt: string };
export type Preview = { step: number; medium: string; language: string; subject: string; text: string; allowed: boolean; problems: string[] };

export const PAGE_SIZE = 10;

// One list, one page at a time: `after` is the previous page's endCursor; earlier cursors are kept for "back".
// The page number shown is the loaded page's, so the rows and the number never disagree mid-fetch.
function usePages<N>(query: string, field: string) {
  const { club, channel } = useSession();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [loaded, setLoaded] = useState<{ number: number; page: Connection<N> } | null>(null);
  const [error, setError] = useState("");
  const number = cursors.length;
  const after = cursors[number - 1];
  useEffect(() => {
    if (!channel) return;
    let live = true;
    club<Record<string, Connection<N>>>(query, { channel, first: PAGE_SIZE, after })
      .then((d) => live && setLoaded({ number, page: d[field] }))
      .catch((e: Error) => live && setError(e.message));
    return () => { live = false; };
  }, [club, channel, query, field, after, number]);
  const page = loaded?.page ?? null;
  return {
    page, error, number: loaded?.number ?? 0,
    next: () => page?.pageInfo.endCursor && setCursors([...cursors, page.pageInfo.endCursor]),
    back: () => setCursors(cursors.slice(0, -1)),
  };
}

function Pager({ testId, pages }: { testId: string; pages: ReturnType<typeof usePages<unknown>> }) {
  const { t } = useSession();
  return (
    <Box display="flex" gap={2} marginTop={3} alignItems="center" data-testid={`${testId}-pager`}>
      {pages.number > 1 ? <Button variant="secondary" onClick={pages.back}>{t("previous")}</Button> : null}
      {pages.page ? <Text size={2} color="default2">{t("pageOf")} {pages.number} · {pages.page.totalCount}</Text> : null}
      {pages.page?.pageInfo.hasNextPage ? <Button variant="secondary" onClick={pages.next}>{t("next")}</Button> : null}
    </Box>
  );
}

function PagedTable<N>({ title, testId, query, field, head, row }: {
  title: string; testId: string; query: string; field: string; head: ReactNode; row: (node: N) => ReactNode;
}) {
  const pages = usePages<N>(query, field);
  return (
    <Card title={title} testId={testId}>
      {pages.error ? <Text role="alert" color="critical1">{pages.error}</Text> : null}
      <table className="table"><thead>{head}</thead><tbody>{pages.page?.edges.map(({ node }) => row(node))}</tbody></table>
      <Pager testId={testId} pages={pages as ReturnType<typeof usePages<unknown>>} />
    </Card>
  );
}

export function AbandonedList() {
  const { t, lang } = useSession();
  return (
    <PagedTable<Abandoned> title={t("abandonedCheckouts")} testId="abandoned" query={ABANDONED_CHECKOUTS} field="abandonedCheckouts"
      head={<tr><th>{t("when")}</th><th>{t("email")}</th><th>{t("state")}</th><th className="num">{t("total")}</th><th className="num">{t("remindersSent")}</th><th>{t("nextReminder")}</th></tr>}
      row={(c) => (
        <tr key={c.checkoutId}>
          <td>{formatDate(c.abandonedAt, lang)}</td><td>{c.email}</td><td title={c.stateReason}>{c.state.toLowerCase()}</td>
          <td className="num">{formatMoney(c.total.amount, c.total.currency, lang)}</td><td className="num">{c.remindersSent}</td>
          <td>{c.nextActionAt ? formatDate(c.nextActionAt, lang) : "—"}</td>
        </tr>
      )} />
  );
}

export function MessageLogList() {
  const { t, lang } = useSession();
  return (
    <PagedTable<Message> title={t("messageLog")} testId="message-log" query={MESSAGE_LOG} field="messageLog"
      head={<tr><th>{t("when")}</th><th>{t("category")}</th><th>{t("medium")}</th><th>{t("recipient")}</th><th>{t("status")}</th><th>{t("reason")}</th></tr>}
      row={(m) => (
        <tr key={m.id}>
          <td>{formatDate(m.createdAt, lang)}</td><td>{m.category}</td><td>{m.medium.toLowerCase()}</td><td>{m.recipient}</td><td>{m.status}</td><td>{m.reason}</td>
        </tr>
      )} />
  );
}

// `version` changes after each save, so the previews follow the saved settings.
export function Previews({ version }: { version: number }) {
  const { club, channel, t } = useSession();
  const [items, setItems] = useState<Preview[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    if (!channel) return;
    club<{ recoveryPreview: Preview[] }>(RECOVERY_PREVIEW, { channel }).then((d) => setItems(d.recoveryPreview)).catch((e: Error) => setError(e.message));
  }, [club, channel, version]);
  return (
    <Card title={t("preview")} testId="previews">
      {error ? <Text role="alert" color="critical1">{error}</Text> : null}
      <Box display="grid" gap={3} className="two-col">
        {items?.map((p) => (
          <Box key={`${p.step}-${p.language}`} className="preview" data-testid={`preview-${p.step}-${p.language}`} padding={3} borderRadius={3} borderWidth={1} borderStyle="solid" borderColor="default1">
            <Text size={2} color="default2" display="block">#{p.step + 1} · {p.medium.toLowerCase()} · {t(p.language === "he" ? "langHE" : "langEN")}</Text>
            <Text role="status" size={2} fontWeight="bold" color={p.allowed ? "success1" : "critical1"} display="block" data-gate={p.allowed ? "ok" : "blocked"}>
              {p.allowed ? t("gateOk") : `${t("gateBlocked")}: ${p.problems.join("; ")}`}
            </Text>
            <div dir={p.language === "he" ? "rtl" : "ltr"} lang={p.language}>
              {p.subject ? <Text size={3} fontWeight="bold" display="block">{p.subject}</Text> : null}
              <pre className="message-text">{p.text}</pre>
            </div>
          </Box>
        ))}
      </Box>
    </Card>
  );
}
