from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from crm.models import Role, SlaKind, TicketKind
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('crm', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('crm.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('chat_id', fields.BigIntField()),
                ('message_id', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notification', 'app': 'crm', 'unique_together': (('chat_id', 'message_id'),), 'pk_attr': 'id', 'table_description': 'A bot message to staff about a ticket, so a Telegram reply to it finds the ticket.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('telegram_id', fields.BigIntField(unique=True)),
                ('name', fields.CharField(default='', max_length=255)),
                ('role', fields.CharEnumField(default=Role.AGENT, description='AGENT: agent\nMANAGER: manager', enum_type=Role, max_length=16)),
                ('skills', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('online', fields.BooleanField(default=False)),
                ('capacity', fields.SmallIntField(null=True)),
                ('active', fields.BooleanField(default=True)),
                ('last_assigned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff', 'app': 'crm', 'pk_attr': 'id', 'table_description': 'An agent or manager who works tickets from Telegram.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SlaBreach',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('crm.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='sla_breaches', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='FIRST_RESPONSE: first_response\nRESOLUTION: resolution', enum_type=SlaKind, max_length=16)),
                ('agent', fields.ForeignKeyField('crm.StaffMember', source_field='agent_id', null=True, db_constraint=True, to_field='id', related_name='sla_breaches', on_delete=OnDelete.SET_NULL)),
                ('detected_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('notified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sla_breach', 'app': 'crm', 'unique_together': (('ticket_id', 'kind'),), 'pk_attr': 'id', 'table_description': 'A ticket that missed a service-level target, recorded once per target.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Survey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('crm.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='surveys', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('crm.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='surveys', on_delete=OnDelete.CASCADE)),
                ('agent', fields.ForeignKeyField('crm.StaffMember', source_field='agent_id', null=True, db_constraint=True, to_field='id', related_name='surveys', on_delete=OnDelete.SET_NULL)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('rating', fields.OneToOneField('crm.Rating', source_field='rating_id', null=True, db_constraint=True, to_field='id', related_name='survey', on_delete=OnDelete.SET_NULL)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('comment_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('superseded', fields.BooleanField(default=False)),
            ],
            options={'table': 'survey', 'app': 'crm', 'indexes': [Index(fields=['customer_id', 'comment_until'])], 'pk_attr': 'id', 'table_description': 'A "How did we do?" question sent when a ticket was resolved.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Message',
            name='delivery_error',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Rating',
            name='agent',
            field=fields.ForeignKeyField('crm.StaffMember', source_field='agent_id', null=True, db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.SET_NULL),
        ),
        ops.AlterField(
            model_name='Ticket',
            name='kind',
            field=fields.CharEnumField(description='INQUIRY: inquiry\nFEEDBACK: feedback\nCOMPLAINT: complaint\nRATING: rating\nFOLLOW_UP: follow_up', enum_type=TicketKind, max_length=16),
        ),
        ops.AddField(
            model_name='Ticket',
            name='assigned_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Ticket',
            name='assignee',
            field=fields.ForeignKeyField('crm.StaffMember', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='assigned_tickets', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Ticket',
            name='parent',
            field=fields.ForeignKeyField('crm.Ticket', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='follow_ups', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Ticket',
            name='topic',
            field=fields.CharField(default='other', db_default='other', max_length=32),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['status', 'assignee_id']),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['status', 'created_at']),
        ),
    ]
