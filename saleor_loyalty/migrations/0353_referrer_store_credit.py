"""A referrer may be rewarded in store credit on their club gift card (snapshotted on the referral when the
friend's order counts), and reversed like cashback."""

from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_loyalty', '0352_membership_plan_in_force'),
    ]

    operations = [
        migrations.AddField(
            model_name='referral',
            name='referrer_credit',
            field=models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='Snapshot when the order counted.', max_digits=12),
        ),
        migrations.AddField(
            model_name='referralsettings',
            name='referrer_credit',
            field=models.DecimalField(decimal_places=2, default=Decimal('0'), help_text="Store credit per counted friend, in the channel's currency (reward `store_credit`).", max_digits=12),
        ),
        migrations.AddField(
            model_name='referralsettings',
            name='referrer_reward',
            field=models.CharField(choices=[('points', "Points on the referrer's balance"), ('store_credit', "Store credit on the referrer's club gift card")], default='points', max_length=16),
        ),
        migrations.AlterField(
            model_name='creditentry',
            name='kind',
            field=models.CharField(choices=[('cashback_earn', 'Cashback earned on a paid order, pending until available_at'), ('cashback_credit', "Pending cashback put on the member's card"), ('cashback_reversal', 'Cashback taken back by a refund or cancellation'), ('redemption', "Points turned into credit on the member's card"), ('card_return', 'Card money spent on an order, given back after a cancellation or refund'), ('birthday_gift', "The tier's birthday credit put on the member's card"), ('anniversary_gift', 'Store credit for a year in the club'), ('membership_gift', "A paid membership plan's monthly credit put on the member's card"), ('referral_reward', "Store credit for a friend's first order that passed its pending period"), ('referral_reversal', "Referral credit taken back: the friend's order was refunded")], max_length=32),
        ),
        migrations.AddConstraint(
            model_name='referralsettings',
            constraint=models.CheckConstraint(condition=models.Q(('referrer_credit__gte', 0)), name='loyalty_referral_settings_credit_chk'),
        ),
    ]
