from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """Recreate two ticket indexes that SQLite lost when 0002 rebuilt the ticket table.

    tortoise's SQLite schema editor rebuilds a table to alter it and does not carry over
    indexes made by an earlier migration; PostgreSQL kept them, so IF NOT EXISTS makes this
    a no-op there.
    """

    dependencies = [("crm", "0006_flood_index")]

    operations = [
        ops.RunSQL(
            [
                "CREATE INDEX IF NOT EXISTS idx_ticket_custome_8f1cc6 "
                "ON ticket (customer_id, status)",
                "CREATE INDEX IF NOT EXISTS idx_ticket_status_4067b7 "
                "ON ticket (status, last_activity_at)",
            ],
            reverse_sql=[],
        ),
    ]
