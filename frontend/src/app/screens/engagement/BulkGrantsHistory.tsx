import { Text } from "@saleor/macaw-ui";
import { formatDate } from "../../i18n";
import { useSession } from "../../session";

export type BulkGrant = {
  id: string; points: number; reason: string; state: string; granted: number; skipped: number; byFilter: boolean;
  actor: string; created: string; finished: string | null;
};

// What was granted, when, to how many and by whom: the grants newest first, as the API lists them.
export function BulkGrantsHistory({ grants }: { grants: BulkGrant[] }) {
  const { t, lang } = useSession();
  if (!grants.length) return <Text>{t("noneYet")}</Text>;
  return (
    <table className="table" data-testid="bulk-grants">
      <thead><tr><th>{t("when")}</th><th>{t("points")}</th><th>{t("reason")}</th><th>{t("granted")}</th><th>{t("skipped")}</th><th>{t("recipients")}</th><th>{t("status")}</th><th>{t("actor")}</th></tr></thead>
      <tbody>{grants.map((g) => (
        <tr key={g.id} data-testid={`bulk-grant-${g.id}`}>
          <td>{formatDate(g.created, lang)}</td><td className="num">{g.points}</td><td>{g.reason}</td><td className="num">{g.granted}</td>
          <td className="num">{g.skipped}</td><td>{g.byFilter ? t("byFilter") : t("byList")}</td><td>{g.state.toLowerCase()}</td><td>{g.actor}</td>
        </tr>
      ))}</tbody>
    </table>
  );
}
