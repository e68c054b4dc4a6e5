from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('crm', '0019_inbox_sender')]

    initial = False

    operations = [
        # Staff texts in their language: /language's choice, and Telegram's code (for alerts).
        ops.AddField(
            model_name='StaffMember',
            name='language',
            field=fields.CharField(max_length=8, null=True),
        ),
        ops.AddField(
            model_name='StaffMember',
            name='language_code',
            field=fields.CharField(max_length=16, null=True),
        ),
    ]
