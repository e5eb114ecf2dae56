# The access log moves from neglect_portal to cases, next to the child it logs, keeping its
# rows: the model is handed over in the migration state, then its table renamed.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_name_prefix_indexes"),
        ("neglect_portal", "0002_accesslog"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AccessLog",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("opened_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "child",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="access_log",
                                to="cases.child",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-opened_at"],
                        "indexes": [
                            models.Index(
                                fields=["child", "-opened_at"],
                                name="neglect_por_child_i_31ca65_idx",
                            )
                        ],
                        "db_table": "neglect_portal_accesslog",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="accesslog", table=None),
        migrations.RenameIndex(
            model_name="accesslog",
            new_name="accesslog_child_opened_idx",
            old_name="neglect_por_child_i_31ca65_idx",
        ),
    ]
