# The access log now belongs to cases (cases/migrations/0003_accesslog.py), which took over
# its table and rows; here it only leaves this app's migration state.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("neglect_portal", "0002_accesslog"),
        ("cases", "0003_accesslog"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AccessLog")],
            database_operations=[],
        ),
    ]
