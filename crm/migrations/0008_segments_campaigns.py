from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from crm.models import ButtonKind, CampaignStatus, RecipientStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('crm', '0007_restore_ticket_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(default='', max_length=120)),
                ('audience', fields.CharField(max_length=255)),
                ('text', fields.TextField(unique=False)),
                ('photo', fields.BinaryField(null=True)),
                ('photo_file_id', fields.CharField(null=True, max_length=255)),
                ('button_text', fields.CharField(null=True, max_length=64)),
                ('button_kind', fields.CharEnumField(null=True, description='URL: url\nINTEREST: interest', enum_type=ButtonKind, max_length=16)),
                ('button_url', fields.CharField(null=True, max_length=512)),
                ('control_percent', fields.SmallIntField(default=0)),
                ('status', fields.CharEnumField(default=CampaignStatus.DRAFT, description='DRAFT: draft\nSCHEDULED: scheduled\nSENDING: sending\nPAUSED: paused\nDONE: done\nCANCELLED: cancelled', enum_type=CampaignStatus, max_length=16)),
                ('created_by', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('scheduled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('audience_size', fields.IntField(default=0)),
                ('progress_chat_id', fields.BigIntField(null=True)),
                ('progress_message_id', fields.BigIntField(null=True)),
            ],
            options={'table': 'campaign', 'app': 'crm', 'indexes': [Index(fields=['status', 'scheduled_at'])], 'pk_attr': 'id', 'table_description': 'A message to an audience, sent by the running bot exactly once per customer.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CampaignRecipient',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('campaign', fields.ForeignKeyField('crm.Campaign', source_field='campaign_id', db_constraint=True, to_field='id', related_name='recipients', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('crm.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='campaign_rows', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=RecipientStatus.PENDING, description='PENDING: pending\nCLAIMED: claimed\nSENDING: sending\nSENT: sent\nFAILED: failed\nSKIPPED: skipped\nCONTROL: control', enum_type=RecipientStatus, max_length=16)),
                ('reason', fields.CharField(null=True, max_length=255)),
                ('attempts', fields.SmallIntField(default=0)),
                ('claim_token', fields.CharField(null=True, max_length=32)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('telegram_message_id', fields.BigIntField(null=True)),
                ('pressed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'campaign_recipient', 'app': 'crm', 'unique_together': (('campaign_id', 'customer_id'),), 'indexes': [Index(fields=['campaign_id', 'status']), Index(fields=['customer_id', 'sent_at'])], 'pk_attr': 'id', 'table_description': "One customer on a campaign's durable send list."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SegmentRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('customers', fields.IntField(default=0)),
                ('k', fields.SmallIntField(default=0)),
                ('silhouette', fields.FloatField(null=True)),
                ('segments', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'segment_run', 'app': 'crm', 'indexes': [Index(fields=['finished_at'])], 'pk_attr': 'id', 'table_description': 'One segmentation of the customer base, so a campaign targets a stable list.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CustomerSegment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('run', fields.ForeignKeyField('crm.SegmentRun', source_field='run_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('crm.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='segments', on_delete=OnDelete.CASCADE)),
                ('segment', fields.CharField(max_length=64)),
            ],
            options={'table': 'customer_segment', 'app': 'crm', 'unique_together': (('run_id', 'customer_id'),), 'indexes': [Index(fields=['run_id', 'segment']), Index(fields=['customer_id'])], 'pk_attr': 'id', 'table_description': 'Which segment a customer fell in, in one run.'},
            bases=['Model'],
        ),
    ]
