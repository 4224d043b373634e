"""Several paid plans run side by side: a membership records the plan in force and where its chain ends.

Until now every term joined one chain whose end was the plan's end too, so `plan_ends_at` starts as
`ends_at`; a member's terms are re-placed per plan the next time one of their orders changes.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("saleor_loyalty", "0351_share_visits")]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="plan_ends_at",
            field=models.DateTimeField(
                null=True, help_text="Where the plan in force's chain ends (at most `ends_at`)."
            ),
        ),
        migrations.RunSQL(
            "UPDATE saleor_loyalty_membership SET plan_ends_at = ends_at", reverse_sql=migrations.RunSQL.noop
        ),
        migrations.AlterField(
            model_name="membership",
            name="plan_ends_at",
            field=models.DateTimeField(help_text="Where the plan in force's chain ends (at most `ends_at`)."),
        ),
        migrations.AlterField(
            model_name="membership",
            name="plan",
            field=models.ForeignKey(
                help_text="The plan in force: the best running (highest tier, then longest remaining).",
                on_delete=models.deletion.PROTECT,
                related_name="memberships",
                to="saleor_loyalty.membershipplan",
            ),
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(
                condition=models.Q(("status", "active")),
                fields=["plan_ends_at", "id"],
                name="loyalty_membership_plan_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(("plan_ends_at__lte", models.F("ends_at"))),
                name="loyalty_membership_plan_end_chk",
            ),
        ),
    ]
