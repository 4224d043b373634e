import { Box, Button } from "@saleor/macaw-ui";
import { useState } from "react";
import type { FieldError } from "../../api";
import { useSession } from "../../session";
import { FieldErrorText, useMutationForm } from "../../ui";

// Delete in two clicks: the first asks, the second sends the one mutation; its typed error stays beside it.
export function DeleteButton({ name, run, onDeleted }: { name: string; run: () => Promise<{ errors: FieldError[] }>; onDeleted: () => void }) {
  const { t } = useSession();
  const [asking, setAsking] = useState(false);
  const form = useMutationForm();
  return (
    <Box display="flex" flexDirection="column" gap={1} data-testid={`delete-${name}`}>
      {asking ? (
        <Box display="flex" gap={2}>
          <Button type="button" size="small" variant="error" disabled={form.busy} onClick={() => void form.submit(run, () => { setAsking(false); onDeleted(); })}>
            {t("confirmDelete")}
          </Button>
          <Button type="button" size="small" variant="secondary" onClick={() => setAsking(false)}>{t("cancel")}</Button>
        </Box>
      ) : <Button type="button" size="small" variant="error" onClick={() => setAsking(true)}>{t("delete")}</Button>}
      <FieldErrorText name={`delete-${name}`} error={Object.values(form.errors).join(" ") || undefined} />
    </Box>
  );
}
