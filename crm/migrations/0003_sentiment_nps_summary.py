from tortoise import migrations
from tortoise.migrations import operations as ops
from crm.sentiment import SentimentLabel
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('crm', '0002_staff_routing_csat_sla')]

    initial = False

    operations = [
        ops.CreateModel(
            name='NpsResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('crm.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='nps_responses', on_delete=OnDelete.CASCADE)),
                ('ticket', fields.ForeignKeyField('crm.Ticket', source_field='ticket_id', null=True, db_constraint=True, to_field='id', related_name='nps_responses', on_delete=OnDelete.SET_NULL)),
                ('asked_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('score', fields.SmallIntField(null=True)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'nps_response', 'app': 'crm', 'indexes': [Index(fields=['customer_id', 'asked_at']), Index(fields=['answered_at'])], 'pk_attr': 'id', 'table_description': 'A 0-10 "would you recommend us" question and, once pressed, its answer.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SummaryRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField(unique=True)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_to', fields.SmallIntField(default=0)),
            ],
            options={'table': 'summary_run', 'app': 'crm', 'pk_attr': 'id', 'table_description': 'One daily summary, claimed before sending so a day is never summarised twice.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Message',
            name='sentiment_label',
            field=fields.CharEnumField(null=True, description='NEGATIVE: negative\nNEUTRAL: neutral\nPOSITIVE: positive', enum_type=SentimentLabel, max_length=16),
        ),
        ops.AddField(
            model_name='Message',
            name='sentiment_model',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Message',
            name='sentiment_score',
            field=fields.FloatField(null=True),
        ),
        ops.AddIndex(
            model_name='Message',
            index=Index(fields=['direction', 'sentiment_model']),
        ),
        ops.AddIndex(
            model_name='Message',
            index=Index(fields=['created_at']),
        ),
    ]
