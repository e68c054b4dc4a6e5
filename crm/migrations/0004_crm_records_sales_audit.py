from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from crm.models import DealStage
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('crm', '0003_sentiment_nps_summary')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor_telegram_id', fields.BigIntField(null=True)),
                ('action', fields.CharField(max_length=64)),
                ('subject', fields.CharField(default='', max_length=255)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'audit_entry', 'app': 'crm', 'indexes': [Index(fields=['created_at']), Index(fields=['action', 'created_at'])], 'pk_attr': 'id', 'table_description': 'Who did what privileged thing, and when (role changes, merges, imports, exports...).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Deal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('crm.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='deals', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=255)),
                ('value', fields.DecimalField(default=0, max_digits=14, decimal_places=2)),
                ('owner', fields.ForeignKeyField('crm.StaffMember', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name='deals', on_delete=OnDelete.SET_NULL)),
                ('stage', fields.CharEnumField(default=DealStage.LEAD, description='LEAD: lead\nCONTACTED: contacted\nQUALIFIED: qualified\nPROPOSAL: proposal\nWON: won\nLOST: lost', enum_type=DealStage, max_length=16)),
                ('expected_close', fields.DateField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'deal', 'app': 'crm', 'indexes': [Index(fields=['owner_id', 'stage']), Index(fields=['stage', 'closed_at'])], 'pk_attr': 'id', 'table_description': 'A sales opportunity moving through the funnel.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DealStageChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('deal', fields.ForeignKeyField('crm.Deal', source_field='deal_id', db_constraint=True, to_field='id', related_name='stage_changes', on_delete=OnDelete.CASCADE)),
                ('from_stage', fields.CharEnumField(null=True, description='LEAD: lead\nCONTACTED: contacted\nQUALIFIED: qualified\nPROPOSAL: proposal\nWON: won\nLOST: lost', enum_type=DealStage, max_length=16)),
                ('to_stage', fields.CharEnumField(description='LEAD: lead\nCONTACTED: contacted\nQUALIFIED: qualified\nPROPOSAL: proposal\nWON: won\nLOST: lost', enum_type=DealStage, max_length=16)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('changed_by', fields.ForeignKeyField('crm.StaffMember', source_field='changed_by_id', null=True, db_constraint=True, to_field='id', related_name='stage_changes', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'deal_stage_change', 'app': 'crm', 'indexes': [Index(fields=['deal_id', 'changed_at'])], 'pk_attr': 'id', 'table_description': 'One move of a deal between funnel stages, for time-in-stage and conversion.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FollowUpTask',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('deal', fields.ForeignKeyField('crm.Deal', source_field='deal_id', null=True, db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('crm.Customer', source_field='customer_id', null=True, db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.CASCADE)),
                ('owner', fields.ForeignKeyField('crm.StaffMember', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.SET_NULL)),
                ('due', fields.DateField()),
                ('text', fields.TextField(unique=False)),
                ('done', fields.BooleanField(default=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reminded_on', fields.DateField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'task', 'app': 'crm', 'indexes': [Index(fields=['owner_id', 'done', 'due'])], 'pk_attr': 'id', 'table_description': 'A follow-up: call back, send a quote, on a deal or a customer, by a date.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Order',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('external_ref', fields.CharField(null=True, unique=True, max_length=64)),
                ('customer', fields.ForeignKeyField('crm.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.CASCADE)),
                ('ordered_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(default='completed', max_length=32)),
                ('total', fields.DecimalField(default=0, max_digits=14, decimal_places=2)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'orders', 'app': 'crm', 'indexes': [Index(fields=['customer_id', 'ordered_at']), Index(fields=['ordered_at'])], 'pk_attr': 'id', 'table_description': "A customer's order."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Product',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sku', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(default='', max_length=255)),
                ('category', fields.CharField(null=True, max_length=128)),
                ('price', fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'product', 'app': 'crm', 'indexes': [Index(fields=['category'])], 'pk_attr': 'id', 'table_description': 'Something the business sells.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrderLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('crm.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('crm.Product', source_field='product_id', null=True, db_constraint=True, to_field='id', related_name='order_lines', on_delete=OnDelete.SET_NULL)),
                ('product_name', fields.CharField(default='', max_length=255)),
                ('quantity', fields.IntField(default=1)),
                ('price', fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
                ('total', fields.DecimalField(default=0, max_digits=14, decimal_places=2)),
            ],
            options={'table': 'order_line', 'app': 'crm', 'indexes': [Index(fields=['product_id'])], 'pk_attr': 'id', 'table_description': 'One product on an order.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SalesTarget',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('crm.StaffMember', source_field='owner_id', db_constraint=True, to_field='id', related_name='targets', on_delete=OnDelete.CASCADE)),
                ('month', fields.DateField()),
                ('amount', fields.DecimalField(max_digits=14, decimal_places=2)),
            ],
            options={'table': 'sales_target', 'app': 'crm', 'unique_together': (('owner_id', 'month'),), 'pk_attr': 'id', 'table_description': 'How much an owner should win in a month.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Customer',
            name='city',
            field=fields.CharField(null=True, max_length=128),
        ),
        ops.AddField(
            model_name='Customer',
            name='company',
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddField(
            model_name='Customer',
            name='custom',
            field=fields.JSONField(default=dict, db_default='{}', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Customer',
            name='email',
            field=fields.CharField(null=True, max_length=254),
        ),
        ops.AddField(
            model_name='Customer',
            name='notes',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Customer',
            name='phone',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Customer',
            name='region',
            field=fields.CharField(null=True, max_length=128),
        ),
        ops.AddField(
            model_name='Customer',
            name='source',
            field=fields.CharField(null=True, max_length=128),
        ),
        ops.AddField(
            model_name='Customer',
            name='subscribed',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='Customer',
            name='tags',
            field=fields.JSONField(default=list, db_default='[]', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Customer',
            name='unreachable',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddIndex(
            model_name='Customer',
            index=Index(fields=['phone']),
        ),
        ops.AddIndex(
            model_name='Customer',
            index=Index(fields=['email']),
        ),
        ops.AddIndex(
            model_name='Customer',
            index=Index(fields=['city']),
        ),
        ops.AddIndex(
            model_name='Customer',
            index=Index(fields=['source']),
        ),
    ]
