"""SMS campaigns (`Campaign.medium`), bounces as tracking kinds, and provider feedback recorded once.

`loyalty_feedback_notice_uniq` is what makes a provider's complaint or bounce count once per message,
however often it is posted.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("saleor_loyalty", "0291_account_merged_at")]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="medium",
            field=models.CharField(
                choices=[("email", "Email"), ("sms", "SMS")],
                default="email",
                help_text="Email or SMS, for every variant.",
                max_length=8,
            ),
        ),
        migrations.AlterField(
            model_name="campaignvariant",
            name="content",
            field=models.JSONField(
                default=dict, help_text='{"he": {"subject": …, "body": …}, "en": {…}} (SMS: body only)'
            ),
        ),
        migrations.AlterField(
            model_name="trackingevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("open", "Opened (pixel loaded)"),
                    ("click", "Clicked a tracked link"),
                    ("complaint", "Marked as spam (feedback loop)"),
                    ("bounce", "Hard bounce: the address does not exist"),
                    ("soft_bounce", "Soft bounce: a full mailbox or a passing failure"),
                ],
                max_length=16,
            ),
        ),
        migrations.CreateModel(
            name="FeedbackNotice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=16)),
                ("source", models.CharField(help_text="ses or webhook.", max_length=16)),
                ("received_at", models.DateTimeField()),
                (
                    "message",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="saleor_loyalty.messagelog",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("message", "kind"), name="loyalty_feedback_notice_uniq")
                ]
            },
        ),
    ]
