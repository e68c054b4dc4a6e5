from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('crm', '0017_customer_erased_at')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Ticket',
            name='reopened_count',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Survey',
            name='comment_prompt_id',
            field=fields.BigIntField(null=True),
        ),
    ]
