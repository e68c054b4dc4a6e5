from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('crm', '0018_explicit_comment_reopen')]

    initial = False

    operations = [
        # Flood control counts a person's updates in the inbox (every replica's), by sender.
        ops.AddField(
            model_name='InboundUpdate',
            name='user_id',
            field=fields.BigIntField(null=True),
        ),
        ops.AddIndex(
            model_name='InboundUpdate',
            index=Index(fields=['user_id', 'received_at']),
        ),
        # The per-message flood COUNT it served is gone: one index fewer to write per message.
        ops.RemoveIndex(
            model_name='Message',
            name=None,
            fields=['author_telegram_id', 'created_at'],
        ),
    ]
