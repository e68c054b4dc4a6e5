from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('crm', '0008_segments_campaigns')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JobLease',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=96)),
                ('holder', fields.CharField(max_length=64)),
                ('acquired_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'job_lease', 'app': 'crm', 'indexes': [Index(fields=['expires_at'])], 'pk_attr': 'name', 'table_description': 'Which bot replica runs a scheduled job, until when: one row per job (and period).'},
            bases=['Model'],
        ),
    ]
