from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('crm', '0004_crm_records_sales_audit')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InboundUpdate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('update_id', fields.BigIntField(unique=True)),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('processed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'inbound_update', 'app': 'crm', 'indexes': [Index(fields=['processed_at', 'update_id'])], 'pk_attr': 'id', 'table_description': 'A webhook update stored before Telegram gets its 200, so a crash cannot lose it.'},
            bases=['Model'],
        ),
    ]
