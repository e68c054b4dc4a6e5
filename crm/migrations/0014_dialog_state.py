from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
import functools
from json import dumps, loads

class Migration(migrations.Migration):
    dependencies = [('crm', '0013_customer_comment_until')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DialogState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=32)),
                ('user_id', fields.BigIntField()),
                ('chat_id', fields.BigIntField()),
                ('step', fields.IntField()),
                ('data', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'dialog_state', 'app': 'crm', 'unique_together': (('name', 'user_id', 'chat_id'),), 'pk_attr': 'id', 'table_description': "A staff member's step-by-step dialog in progress (/campaign_new), kept in the store."},
            bases=['Model'],
        ),
    ]
