"""The database refuses UPDATE and DELETE on store-credit rows too, whoever the caller is."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION loyalty_creditentry_reject_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'loyalty_creditentry_append_only: credit rows are never updated or deleted'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER loyalty_creditentry_append_only
    BEFORE UPDATE OR DELETE ON saleor_loyalty_creditentry
    FOR EACH ROW EXECUTE FUNCTION loyalty_creditentry_reject_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS loyalty_creditentry_append_only ON saleor_loyalty_creditentry;
DROP FUNCTION IF EXISTS loyalty_creditentry_reject_change();
"""


class Migration(migrations.Migration):
    dependencies = [("saleor_loyalty", "0030_rewards")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
