from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('crm', '0010_broadcast_slots')]

    initial = False

    operations = [
        ops.AddField(
            model_name='InboundUpdate',
            name='replica',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
