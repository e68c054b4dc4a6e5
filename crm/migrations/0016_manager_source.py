from tortoise import migrations
from tortoise.migrations import operations as ops
from crm.models import ManagerSource
from tortoise import fields

# Before 0016 the store did not say how a manager got the role. The audit log does for
# /manager_add since it was audited: those managers count as promoted (by the actor of the
# latest entry). Every other manager can only have come from CRM_MANAGER_IDS, so the next
# start demotes them if the setting no longer lists them (the bug this migration fixes).
_PROMOTED = (
    "EXISTS (SELECT 1 FROM audit_entry a WHERE a.action = 'staff.manager_add'"
    " AND a.subject = 'user ' || staff.telegram_id)"
)


class Migration(migrations.Migration):
    dependencies = [("crm", "0015_durable_inbox_replies")]

    initial = False

    operations = [
        ops.AddField(
            model_name="StaffMember",
            name="manager_source",
            field=fields.CharEnumField(
                null=True,
                description="SETTING: setting\nCOMMAND: command",
                enum_type=ManagerSource,
                max_length=16,
            ),
        ),
        ops.AddField(
            model_name="StaffMember",
            name="promoted_by",
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name="StaffMember",
            name="was_agent",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.RunSQL(
            "UPDATE staff SET manager_source = 'command', promoted_by = ("
            " SELECT a.actor_telegram_id FROM audit_entry a WHERE a.action = 'staff.manager_add'"
            " AND a.subject = 'user ' || staff.telegram_id ORDER BY a.id DESC LIMIT 1"
            f") WHERE role = 'manager' AND {_PROMOTED}",
            reverse_sql="SELECT 1",
        ),
        ops.RunSQL(
            "UPDATE staff SET manager_source = 'setting'"
            " WHERE role = 'manager' AND manager_source IS NULL",
            reverse_sql="SELECT 1",
        ),
    ]
