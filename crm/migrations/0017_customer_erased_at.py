from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('crm', '0016_manager_source')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Customer',
            name='erased_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # Customers erased before the upgrade: their erasure is in the audit log.
        ops.RunSQL(
            "UPDATE customer SET erased_at = ("
            " SELECT MIN(audit_entry.created_at) FROM audit_entry"
            " WHERE audit_entry.action = 'customer.erase'"
            " AND audit_entry.subject = 'customer ' || customer.id"
            ")"
            " WHERE EXISTS ("
            " SELECT 1 FROM audit_entry WHERE audit_entry.action = 'customer.erase'"
            " AND audit_entry.subject = 'customer ' || customer.id"
            ")",
            reverse_sql="SELECT 1",
        ),
    ]
