"""Each next step of a "So what do we know?" analysis becomes a NextStep row, then the JSON
list they were kept in goes.

The list's items were {"action", "owner", "due"}; other spellings are read too, and whatever a
row has no field for is kept at the end of its text, so nothing typed is lost. The owner was
free text, so it becomes a named owner outside the portal: nobody can tell which portal user
"J Smith" meant.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from datetime import date

from django.db import migrations, models
from django.utils import timezone

WHAT = ("action", "what", "step", "text")
OWNER = ("owner", "owner_name", "who")
ROLE = ("owner_role", "role", "agency")
DUE = ("due", "due_on", "due_date")
NAME_LENGTH = 200


def _first(item, keys):
    for key in keys:
        value = item.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _date(text):
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def rows_from_lists(apps, schema_editor):
    NextSteps = apps.get_model("toolkit", "NextSteps")
    NextStep = apps.get_model("toolkit", "NextStep")
    HistoricalNextStep = apps.get_model("toolkit", "HistoricalNextStep")
    now = timezone.now()
    for analysis in NextSteps.objects.exclude(next_steps=[]).iterator():
        items = analysis.next_steps if isinstance(analysis.next_steps, list) else []
        for position, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                item = {"action": str(item)}
            what = _first(item, WHAT)
            owner = _first(item, OWNER)
            due_text = _first(item, DUE)
            due = _date(due_text)
            kept = [
                f"{key}: {value}"
                for key, value in item.items()
                if key not in (*WHAT, *OWNER, *ROLE, *DUE) and value not in (None, "")
            ]
            if due_text and due is None:
                kept.append(f"due: {due_text}")
            if len(owner) > NAME_LENGTH:
                kept.append(f"owner: {owner}")
                owner = owner[: NAME_LENGTH - 1] + "…"
            if not (what or owner or due or kept):
                continue
            step = NextStep.objects.create(
                analysis=analysis,
                position=position,
                what="\n".join([what, *kept]).strip(),
                owner_name=owner,
                owner_role=_first(item, ROLE)[:NAME_LENGTH],
                due_on=due,
            )
            HistoricalNextStep.objects.create(
                id=step.pk,
                version=step.version,
                analysis_id=analysis.pk,
                position=step.position,
                what=step.what,
                owner_name=step.owner_name,
                owner_role=step.owner_role,
                due_on=step.due_on,
                status=step.status,
                updated_at=step.updated_at,
                history_date=now,
                history_type="+",
                history_change_reason="Moved from the analysis's list of next steps",
            )


def lists_from_rows(apps, schema_editor):
    NextSteps = apps.get_model("toolkit", "NextSteps")
    NextStep = apps.get_model("toolkit", "NextStep")
    lists = {}
    for step in NextStep.objects.order_by("analysis_id", "position", "pk"):
        owner = step.owner_name or (step.owner.username if step.owner_id else "")
        lists.setdefault(step.analysis_id, []).append(
            {
                "action": step.what,
                "owner": f"{owner} ({step.owner_role})" if step.owner_role else owner,
                "due": step.due_on.isoformat() if step.due_on else None,
            }
        )
    for pk, steps in lists.items():
        NextSteps.objects.filter(pk=pk).update(next_steps=steps)


class Migration(migrations.Migration):

    dependencies = [
        ('toolkit', '0006_sdq_need'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalNextStep',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('position', models.PositiveSmallIntegerField(default=1)),
                ('what', models.TextField(blank=True, max_length=5000, verbose_name='next step')),
                ('owner_name', models.CharField(blank=True, max_length=200, verbose_name='owner outside the portal')),
                ('owner_role', models.CharField(blank=True, max_length=200, verbose_name='their role or agency')),
                ('due_on', models.DateField(blank=True, null=True, verbose_name='due date')),
                ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('not_needed', 'No longer needed')], default='open', max_length=10)),
                ('done_on', models.DateField(blank=True, null=True, verbose_name='date done')),
                ('closed_on', models.DateField(blank=True, null=True, verbose_name='date marked no longer needed')),
                ('closed_reason', models.TextField(blank=True, max_length=5000, verbose_name='why it is no longer needed')),
                ('updated_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('analysis', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='toolkit.nextsteps')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='owner in the portal')),
                ('updated_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical next step',
                'verbose_name_plural': 'historical next steps',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='NextStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('position', models.PositiveSmallIntegerField(default=1)),
                ('what', models.TextField(blank=True, max_length=5000, verbose_name='next step')),
                ('owner_name', models.CharField(blank=True, max_length=200, verbose_name='owner outside the portal')),
                ('owner_role', models.CharField(blank=True, max_length=200, verbose_name='their role or agency')),
                ('due_on', models.DateField(blank=True, null=True, verbose_name='due date')),
                ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('not_needed', 'No longer needed')], default='open', max_length=10)),
                ('done_on', models.DateField(blank=True, null=True, verbose_name='date done')),
                ('closed_on', models.DateField(blank=True, null=True, verbose_name='date marked no longer needed')),
                ('closed_reason', models.TextField(blank=True, max_length=5000, verbose_name='why it is no longer needed')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('analysis', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='toolkit.nextsteps')),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='next_steps_owned', to=settings.AUTH_USER_MODEL, verbose_name='owner in the portal')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['analysis', 'position', 'pk'],
                'indexes': [models.Index(fields=['owner', 'status', 'due_on'], name='nextstep_owner_idx'), models.Index(fields=['status', 'due_on'], name='nextstep_status_due_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('owner__isnull', True), ('owner_name', ''), _connector='OR'), name='nextstep_one_owner'), models.CheckConstraint(condition=models.Q(models.Q(('closed_on__isnull', True), ('done_on__isnull', True), ('status', 'open')), models.Q(('closed_on__isnull', True), ('done_on__isnull', False), ('status', 'done')), models.Q(('closed_on__isnull', False), ('done_on__isnull', True), ('status', 'not_needed')), _connector='OR'), name='nextstep_status_dates')],
            },
        ),
        migrations.RunPython(rows_from_lists, lists_from_rows),
        migrations.RemoveField(
            model_name='historicalnextsteps',
            name='next_steps',
        ),
        migrations.RemoveField(
            model_name='nextsteps',
            name='next_steps',
        ),
    ]
