from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('crm', '0012_summary_finished')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Customer',
            name='comment_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # Surveys answered before the upgrade whose comment window is still open.
        ops.RunSQL(
            "UPDATE customer SET comment_until = ("
            " SELECT MAX(survey.comment_until) FROM survey"
            " WHERE survey.customer_id = customer.id AND survey.rating_id IS NOT NULL"
            ")"
            " WHERE EXISTS ("
            " SELECT 1 FROM survey WHERE survey.customer_id = customer.id"
            " AND survey.comment_until IS NOT NULL AND survey.rating_id IS NOT NULL"
            ")",
            reverse_sql="SELECT 1",
        ),
    ]
