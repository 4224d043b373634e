"""Share-link visits that credited their sharer, as keyed hashes of the visitor id and the IP (see
`engagement/share_visitors.py`)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_loyalty', '0350_action_points_toward_tiers'),
    ]

    operations = [
        migrations.CreateModel(
            name='ShareVisit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('visitor_hash', models.CharField(max_length=64)),
                ('ip_hash', models.CharField(max_length=64)),
                ('created_at', models.DateTimeField()),
                ('link', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='credited', to='saleor_loyalty.sharelink')),
                ('sharer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='saleor_loyalty.loyaltyaccount')),
            ],
            options={
                'indexes': [models.Index(fields=['sharer', 'created_at'], name='loyalty_share_visit_sharer_idx')],
                'constraints': [models.UniqueConstraint(fields=('link', 'visitor_hash'), name='loyalty_share_visit_visitor_uniq'), models.UniqueConstraint(fields=('link', 'ip_hash'), name='loyalty_share_visit_ip_uniq')],
            },
        ),
    ]
