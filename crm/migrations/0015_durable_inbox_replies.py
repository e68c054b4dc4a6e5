from tortoise import migrations
from tortoise.migrations import operations as ops
from crm.models import Delivery
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('crm', '0014_dialog_state')]

    initial = False

    operations = [
        ops.AddField(
            model_name='InboundUpdate',
            name='attempts',
            field=fields.SmallIntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='InboundUpdate',
            name='last_attempt_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='InboundUpdate',
            name='last_error',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='InboundUpdate',
            name='set_aside_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Message',
            name='delivery',
            field=fields.CharEnumField(null=True, description='SENDING: sending\nSENT: sent\nFAILED: failed\nUNKNOWN: unknown', enum_type=Delivery, max_length=16),
        ),
        ops.AddField(
            model_name='Message',
            name='source_chat_id',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Message',
            name='source_message_id',
            field=fields.BigIntField(null=True),
        ),
        ops.AddConstraint(
            model_name='Message',
            constraint=UniqueConstraint(fields=('source_chat_id', 'source_message_id'), name=None),
        ),
        # Replies stored before the upgrade: delivered ones have Telegram's message id, refused
        # ones their error; the rest were never settled and their fate is unknown.
        ops.RunSQL(
            "UPDATE message SET delivery = CASE"
            " WHEN telegram_message_id IS NOT NULL THEN 'sent'"
            " WHEN delivery_error IS NOT NULL THEN 'failed'"
            " ELSE 'unknown' END"
            " WHERE direction = 'outbound'",
            reverse_sql="SELECT 1",
        ),
    ]
