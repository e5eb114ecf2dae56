from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery

# Each stored model's way to its child when this migration was written (the models'
# `child_lookup`, which historical models do not carry).
CHILD_OF = {
    "cases.child": "pk",
    "cases.referral": "child",
    "cases.assessment": "referral__child",
    "cases.childinneedplan": "child",
    "cases.childprotectionplan": "child",
    "cases.cpreview": "plan__child",
    "toolkit.dayinmylife": "child",
    "toolkit.assessmentchecklist": "child",
    "toolkit.parentchildobservation": "child",
    "toolkit.sdq": "child",
    "toolkit.nextsteps": "child",
    "toolkit.nextstep": "analysis__child",
    "toolkit.chronologyentry": "chronology__child",
    "dataset.auditjudgement": "sample__child",
}


def fill_children(apps, schema_editor):
    members = apps.get_model("dataset", "ResultMember")
    for label in members.objects.values_list("model", flat=True).distinct().order_by():
        app_label, model_name = label.split(".")
        model = apps.get_model(app_label, model_name)
        of_record = model.objects.filter(pk=OuterRef("record_id")).values(
            its_child=F(CHILD_OF[label])
        )[:1]
        members.objects.filter(model=label).update(child_id=Subquery(of_record))


class Migration(migrations.Migration):
    dependencies = [
        ("dataset", "0006_quarter_results"),
        ("cases", "0001_initial"),
        ("toolkit", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="resultmember", name="result_member_list"),
        migrations.AddField(
            model_name="resultmember",
            name="child_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(fill_children, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="resultmember",
            name="child_id",
            field=models.BigIntegerField(),
        ),
        migrations.AddIndex(
            model_name="resultmember",
            index=models.Index(
                fields=["result", "code", "which", "model", "record_id"],
                include=["child_id"],
                name="result_member_list",
            ),
        ),
    ]
