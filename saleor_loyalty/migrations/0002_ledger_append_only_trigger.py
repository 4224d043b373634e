"""The database itself refuses UPDATE and DELETE on ledger rows, whoever the caller is."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION loyalty_ledgerentry_reject_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'loyalty_ledgerentry_append_only: ledger rows are never updated or deleted'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER loyalty_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON saleor_loyalty_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION loyalty_ledgerentry_reject_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS loyalty_ledgerentry_append_only ON saleor_loyalty_ledgerentry;
DROP FUNCTION IF EXISTS loyalty_ledgerentry_reject_change();
"""


class Migration(migrations.Migration):
    dependencies = [("saleor_loyalty", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
