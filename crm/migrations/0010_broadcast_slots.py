from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('crm', '0009_job_leases')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BroadcastSlot',
            fields=[
                ('slot', fields.BigIntField(primary_key=True, generated=False, unique=True, db_index=True)),
                ('used', fields.IntField(default=0)),
            ],
            options={'table': 'broadcast_slot', 'app': 'crm', 'pk_attr': 'slot', 'table_description': 'How many campaign messages all replicas took in one slot of the shared rate.'},
            bases=['Model'],
        ),
    ]
