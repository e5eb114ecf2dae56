"""*My tasks* and a team manager's caseload by worker."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from neglect_portal import access
from neglect_portal.dates import today

from .models import ReminderSettings
from .my_tasks import team_workers, workload
from .reminder_forms import ReminderSettingsForm

PAGE_SIZE = 25


def _workers(request):
    """The workers shown: the viewer, or for a team manager the team, or one of it chosen."""
    if not access.works_with_children(request.user):
        raise PermissionDenied
    if not access.oversees_workers(request.user):
        return [request.user], [], None
    team = list(team_workers(request.user))
    chosen = next((w for w in team if str(w.pk) == request.GET.get("worker")), None)
    return ([chosen] if chosen else team), team, chosen


@require_GET
def my_tasks(request):
    workers, team, chosen = _workers(request)
    work = workload(workers, viewer=request.user, on=today())
    page = Paginator(work.tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    names = {worker.pk: worker for worker in team}
    return render(
        request,
        "toolkit/my_tasks.html",
        {
            "page": page,
            "rows": [(task, names.get(task.worker_id)) for task in page],
            "overdue": sum(task.overdue for task in work.tasks),
            "team": team,
            "chosen": chosen,
        },
    )


@require_GET
def caseload(request):
    if not access.oversees_workers(request.user):
        raise PermissionDenied
    workers, team, chosen = _workers(request)
    work = workload(workers, viewer=request.user, on=today())
    page = Paginator(work.loads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "toolkit/caseload.html", {"page": page, "team": team, "chosen": chosen})


@require_http_methods(["GET", "POST"])
def reminder_settings(request):
    if not access.works_with_children(request.user):
        raise PermissionDenied
    record = ReminderSettings.objects.filter(user=request.user).first()
    # An unticked box posts nothing, so the form is bound by the method, not by the data.
    form = ReminderSettingsForm(
        request.POST if request.method == "POST" else None,
        instance=record or ReminderSettings(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        on = form.instance.digest
        messages.success(request, "You will get the daily email" if on else "Emails turned off")
        return redirect("toolkit:my_tasks")
    return render(
        request,
        "records/form.html",
        {
            "form": form,
            "title": "Daily email of your tasks",
            "cancel_url": reverse("toolkit:my_tasks"),
        },
    )
