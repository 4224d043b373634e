import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import { tierName } from "../../i18n";
import { SAVED_SEGMENT_MEMBERS } from "../../staffQueries";
import { useSession } from "../../session";

type Member = { email: string; userId: string | null; points: { available: number }; tier: { id: string; name: string; nameHe: string } | null };
type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: Member }[] };
const PAGE = 20;

// Who a saved segment matches now, a cursor page at a time; the cursors read so far let staff step back.
export function SegmentMembers({ segmentId }: { segmentId: string }) {
  const { club, channel, t, lang } = useSession();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState("");
  const after = cursors[cursors.length - 1];
  useEffect(() => {
    let live = true;
    club<{ savedSegmentMembers: Page }>(SAVED_SEGMENT_MEMBERS, { channel, id: segmentId, first: PAGE, after })
      .then((d) => live && setPage(d.savedSegmentMembers)).catch((e: Error) => live && setError(e.message));
    return () => { live = false; };
  }, [club, channel, segmentId, after]);
  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (!page) return <Text>{t("loading")}</Text>;
  return (
    <Box data-testid={`segment-members-${segmentId}`}>
      <Text size={2} color="default2">{t("size")}: {page.totalCount} · {t("pageOf")} {cursors.length}</Text>
      {page.edges.length ? (
        <table className="table"><tbody>
          {page.edges.map(({ node: m }) => <tr key={m.email}><td>{m.email}</td><td>{tierName(m.tier, lang) || "—"}</td><td className="num">{m.points.available}</td></tr>)}
        </tbody></table>
      ) : <Text>{t("noneYet")}</Text>}
      <Box display="flex" gap={2} marginTop={2}>
        {cursors.length > 1 ? <Button type="button" size="small" variant="secondary" onClick={() => setCursors(cursors.slice(0, -1))}>{t("previous")}</Button> : null}
        {page.pageInfo.hasNextPage ? <Button type="button" size="small" variant="secondary"
          onClick={() => setCursors([...cursors, page.pageInfo.endCursor])}>{t("next")}</Button> : null}
      </Box>
    </Box>
  );
}
