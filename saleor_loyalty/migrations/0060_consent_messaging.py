# Consent, suppression, recovery sequences, message log, restore tokens (issue 4).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_loyalty', '0002_ledger_append_only_trigger'),
    ]

    operations = [
        migrations.CreateModel(
            name='RestoreToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token_hash', models.CharField(max_length=64, unique=True)),
                ('checkout_token', models.UUIDField()),
                ('channel_slug', models.SlugField(max_length=255)),
                ('expires_at', models.DateTimeField()),
                ('created_at', models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name='SweepCursor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel_slug', models.SlugField(max_length=255, unique=True)),
                ('last_change', models.DateTimeField(blank=True, null=True)),
                ('last_token', models.UUIDField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name='AbandonedCheckout',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('checkout_token', models.UUIDField(unique=True)),
                ('channel_slug', models.SlugField(max_length=255)),
                ('user_id', models.BigIntegerField(blank=True, null=True)),
                ('email', models.EmailField(blank=True, default='', max_length=254)),
                ('email_hash', models.CharField(db_index=True, max_length=64)),
                ('phone', models.CharField(blank=True, default='', max_length=32)),
                ('language_code', models.CharField(blank=True, default='', max_length=16)),
                ('currency', models.CharField(max_length=3)),
                ('total_gross', models.DecimalField(decimal_places=4, max_digits=14)),
                ('lines', models.JSONField(default=list)),
                ('checkout_changed_at', models.DateTimeField(help_text="Saleor's last_change when snapshotted.")),
                ('detected_at', models.DateTimeField()),
                ('lost_at', models.DateTimeField()),
                ('state', models.CharField(choices=[('active', 'Reminders planned'), ('holdout', 'Held out: no reminders, for measuring lift'), ('finished', 'All steps done'), ('purchased', 'The person ordered'), ('recovered', 'Completed after a reminder'), ('stopped', 'Stopped (consent, suppression, emptied, deleted, lost)')], default='active', max_length=16)),
                ('state_reason', models.CharField(blank=True, default='', max_length=64)),
                ('next_step', models.PositiveSmallIntegerField(default=0)),
                ('next_action_at', models.DateTimeField(blank=True, null=True)),
                ('reminders_sent', models.PositiveSmallIntegerField(default=0)),
                ('last_reminded_at', models.DateTimeField(blank=True, null=True)),
                ('sequence_started_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                ('recovered_order_id', models.UUIDField(blank=True, null=True)),
                ('recovered_revenue', models.DecimalField(blank=True, decimal_places=4, max_digits=14, null=True)),
                ('recovered_at', models.DateTimeField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'indexes': [models.Index(condition=models.Q(('state', 'active')), fields=['next_action_at'], name='loyalty_abandoned_due_idx'), models.Index(fields=['channel_slug', 'detected_at'], name='loyalty_abandoned_channel_idx')],
            },
        ),
        migrations.CreateModel(
            name='ConsentEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('subject_hash', models.CharField(help_text='SHA-256 of the normalised email or phone.', max_length=64)),
                ('user_id', models.BigIntegerField(blank=True, null=True)),
                ('channel_slug', models.SlugField(max_length=255)),
                ('medium', models.CharField(choices=[('email', 'Email'), ('sms', 'SMS')], max_length=8)),
                ('action', models.CharField(choices=[('grant', 'Granted'), ('withdraw', 'Withdrawn')], max_length=8)),
                ('source', models.CharField(choices=[('checkout_checkbox', 'Checkbox at checkout'), ('account_page', 'Customer account page'), ('newsletter_signup', 'Newsletter sign-up with explicit opt-in'), ('import', 'Imported from an earlier system'), ('unsubscribe_link', 'Unsubscribe link in a message'), ('admin', 'Staff')], max_length=32)),
                ('wording', models.TextField(blank=True, default='', help_text='The exact text the person saw.')),
                ('locale', models.CharField(blank=True, default='', max_length=16)),
                ('ip_hash', models.CharField(blank=True, default='', max_length=64)),
                ('occurred_at', models.DateTimeField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'indexes': [models.Index(fields=['subject_hash', 'channel_slug', 'medium', '-id'], name='loyalty_consent_subject_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('action', 'grant'), _negated=True), models.Q(('wording', ''), _negated=True), _connector='OR'), name='loyalty_consentevent_grant_wording_chk')],
            },
        ),
        migrations.CreateModel(
            name='MessageLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('category', models.CharField(max_length=32)),
                ('medium', models.CharField(choices=[('email', 'Email'), ('sms', 'SMS')], max_length=8)),
                ('channel_slug', models.SlugField(max_length=255)),
                ('is_marketing', models.BooleanField(default=True)),
                ('recipient', models.CharField(max_length=254)),
                ('subject_hash', models.CharField(max_length=64)),
                ('checkout_token', models.UUIDField(blank=True, null=True)),
                ('step', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('claim_key', models.CharField(blank=True, max_length=120, null=True)),
                ('status', models.CharField(choices=[('claimed', 'Claimed, being sent'), ('sent', 'Sent'), ('blocked', 'Blocked by the compliance gate'), ('cancelled', 'Cancelled at send time'), ('deferred', 'Deferred to a later time'), ('skipped', 'Not sent'), ('failed', 'Provider failed')], max_length=16)),
                ('reason', models.TextField(blank=True, default='')),
                ('subject', models.CharField(blank=True, default='', max_length=500)),
                ('content_sha256', models.CharField(blank=True, default='', max_length=64)),
                ('language_code', models.CharField(blank=True, default='', max_length=16)),
                ('context', models.JSONField(blank=True, default=dict, help_text='What a deferred club message renders from.')),
                ('retry_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField()),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'indexes': [models.Index(condition=models.Q(('retry_at__isnull', False), ('status', 'deferred')), fields=['retry_at'], name='loyalty_message_retry_idx'), models.Index(fields=['subject_hash', 'medium', '-created_at'], name='loyalty_message_subject_idx'), models.Index(fields=['channel_slug', '-created_at'], name='loyalty_message_channel_idx'), models.Index(fields=['checkout_token'], name='loyalty_message_checkout_idx')],
                'constraints': [models.UniqueConstraint(fields=('claim_key',), name='loyalty_message_claim_uniq')],
            },
        ),
        migrations.CreateModel(
            name='MessagingSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel_slug', models.SlugField(max_length=255, unique=True)),
                ('recovery_enabled', models.BooleanField(default=False)),
                ('country', models.CharField(default='IL', help_text='Decides the advertising label rule.', max_length=2)),
                ('timezone', models.CharField(default='Asia/Jerusalem', max_length=64)),
                ('default_language', models.CharField(default='he', max_length=8)),
                ('sender_name', models.CharField(blank=True, default='', max_length=255)),
                ('sender_email', models.EmailField(blank=True, default='', max_length=254)),
                ('contact_address', models.CharField(blank=True, default='', help_text='Postal address or phone.', max_length=500)),
                ('reply_to', models.EmailField(blank=True, default='', help_text='A monitored mailbox for refusals by reply.', max_length=254)),
                ('restore_url_template', models.CharField(blank=True, default='', help_text='Storefront URL with {token}, e.g. https://shop/cart/restore/{token}', max_length=500)),
                ('abandon_after_minutes', models.PositiveIntegerField(default=60)),
                ('steps', models.JSONField(blank=True, default=list, help_text='[{"after_minutes": 60, "medium": "email"}, ...]; empty means +1 h, +24 h, +72 h by email.')),
                ('lost_after_days', models.PositiveIntegerField(default=7)),
                ('holdout_percent', models.PositiveSmallIntegerField(default=0)),
                ('attribution_days', models.PositiveIntegerField(default=5)),
                ('observe_shabbat', models.BooleanField(default=True)),
                ('last_step_discount_percent', models.PositiveSmallIntegerField(default=0, help_text='A single-use voucher in the last reminder (0 = no incentive).')),
                ('incentive_hours', models.PositiveSmallIntegerField(default=48, help_text='How long the voucher is valid.')),
                ('club_messages_enabled', models.BooleanField(default=False, help_text='Send club news (points earned, …) through the pipeline in this channel.')),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(('abandon_after_minutes__gte', 5), ('abandon_after_minutes__lte', 1440)), name='loyalty_messagingsettings_abandon_after_chk'), models.CheckConstraint(condition=models.Q(('holdout_percent__lte', 50)), name='loyalty_messagingsettings_holdout_chk'), models.CheckConstraint(condition=models.Q(('last_step_discount_percent__lte', 50)), name='loyalty_messagingsettings_discount_chk')],
            },
        ),
        migrations.CreateModel(
            name='QuietDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('country', models.CharField(max_length=2)),
                ('day', models.DateField()),
                ('name', models.CharField(max_length=100)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('country', 'day'), name='loyalty_quietday_uniq')],
            },
        ),
        migrations.CreateModel(
            name='Suppression',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('subject_hash', models.CharField(max_length=64)),
                ('medium', models.CharField(choices=[('email', 'Email'), ('sms', 'SMS')], max_length=8)),
                ('reason', models.CharField(default='unsubscribed', max_length=32)),
                ('suppressed_at', models.DateTimeField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('subject_hash', 'medium'), name='loyalty_suppression_subject_uniq')],
            },
        ),
    ]
