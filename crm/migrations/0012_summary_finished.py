from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('crm', '0011_inbox_replica')]

    initial = False

    operations = [
        ops.AddField(
            model_name='SummaryRun',
            name='finished_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # Summaries recorded before this column existed were sent: never take them over.
        ops.RunSQL(
            "UPDATE summary_run SET finished_at = started_at WHERE finished_at IS NULL",
            reverse_sql="SELECT 1",
        ),
    ]
