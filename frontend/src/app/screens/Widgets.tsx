// The Dashboard's customer and order pages: small cards, and the two popups from the customer page.
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import { SALEOR_ORDER } from "../queries";
import { useSession } from "../session";
import { History, MemberSummary, Progress, useMember } from "./MemberDetail";
import { AdjustPointsForm, TierOverrideForm } from "./MemberForms";

export function CustomerWidget() {
  const { params, t } = useSession();
  const { member, error } = useMember(params.get("customerId"));
  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (member === undefined) return <Text>{t("loading")}</Text>;
  if (member === null) return <Text>{t("customerNotMember")}</Text>;
  return (
    <Box display="grid" gap={3} data-testid="customer-widget">
      <MemberSummary member={member} />
      <Progress member={member} />
      <History rows={member.transactions.edges.slice(0, 5).map((e) => e.node)} compact />
    </Box>
  );
}

type SaleorOrder = { number: string; channel: { slug: string }; user: { id: string; email: string } | null };

export function OrderWidget() {
  const { params, saleor, setChannel, t } = useSession();
  const [order, setOrder] = useState<SaleorOrder | null | undefined>(undefined);
  const [error, setError] = useState("");
  useEffect(() => {
    const id = params.get("orderId");
    if (!saleor || !id) return;
    saleor<{ order: SaleorOrder | null }>(SALEOR_ORDER, { id })
      .then((d) => { setOrder(d.order); if (d.order) setChannel(d.order.channel.slug); })
      .catch((e: Error) => setError(e.message));
  }, [saleor, params, setChannel]);
  const { member } = useMember(order?.user?.id ?? null);
  if (error) return <Text role="alert" color="critical1">{error}</Text>;
  if (order === undefined) return <Text>{t("loading")}</Text>;
  if (!order?.user) return <Text>{t("guest")}</Text>;
  if (!member) return <Text>{member === null ? t("customerNotMember") : t("loading")}</Text>;
  const rows = member.transactions.edges.map((e) => e.node).filter((x) => x.orderNumber === order.number);
  return (
    <Box display="grid" gap={2} data-testid="order-widget">
      {rows.length ? <History rows={rows} compact /> : <Text>{t("noMovements")}</Text>}
      <Text size={1} color="default2">{t("orderGap")}</Text>
    </Box>
  );
}

export function AdjustPopup() {
  const { params, t, closePopup } = useSession();
  const userId = params.get("customerId") ?? "";
  return (
    <Box display="grid" gap={3} padding={4}>
      <Text as="h1" size={6} fontWeight="bold">{t("adjust")}</Text>
      <AdjustPointsForm userId={userId} onDone={closePopup} />
      <Box><Button variant="tertiary" onClick={closePopup}>{t("close")}</Button></Box>
    </Box>
  );
}

export function SetTierPopup() {
  const { params, t, closePopup } = useSession();
  const userId = params.get("customerId") ?? "";
  return (
    <Box display="grid" gap={3} padding={4}>
      <Text as="h1" size={6} fontWeight="bold">{t("override")}</Text>
      <TierOverrideForm userId={userId} onDone={closePopup} />
      <Box><Button variant="tertiary" onClick={closePopup}>{t("close")}</Button></Box>
    </Box>
  );
}
