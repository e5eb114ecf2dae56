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
from .my_tasks import worker_loads, worker_teams, workers_of_team, workload
from .reminder_forms import ReminderSettingsForm

PAGE_SIZE = 25


ALL_TEAMS = "all"


def _workers(request) -> tuple[list, dict]:
    """The workers shown, and the filters' context: the viewer; or for a team manager, their
    team (or another team of their agency, or all of it), or one worker chosen."""
    if not access.works_with_children(request.user):
        raise PermissionDenied
    if not access.oversees_workers(request.user):
        return [request.user], {"team": []}
    teams = worker_teams(request.user)
    asked = request.GET.get("team")
    if asked == ALL_TEAMS:
        chosen_team = None
    else:
        own = request.user.team_id
        chosen_team = next((t for t in teams if str(t.pk) == asked), None) or next(
            (t for t in teams if t.pk == own), None
        )
    team = workers_of_team(request.user, chosen_team and chosen_team.pk)
    chosen = next((w for w in team if str(w.pk) == request.GET.get("worker")), None)
    filters = {
        "team": team,
        "teams": teams,
        "chosen_team": chosen_team,
        "chosen": chosen,
        "all_teams": ALL_TEAMS,
    }
    return ([chosen] if chosen else team), filters


@require_GET
def my_tasks(request):
    workers, filters = _workers(request)
    work = workload(workers, viewer=request.user, on=today())
    page = Paginator(work.tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    names = {worker.pk: worker for worker in filters["team"]}
    return render(
        request,
        "toolkit/my_tasks.html",
        {
            "page": page,
            "rows": [(task, names.get(task.worker_id)) for task in page],
            "overdue": sum(task.overdue for task in work.tasks),
            **filters,
        },
    )


@require_GET
def caseload(request):
    if not access.oversees_workers(request.user):
        raise PermissionDenied
    workers, filters = _workers(request)
    # A worker's line counts their own children and work alone, so only the page's workers
    # are read: the same cost for a team of eight or an agency of four hundred.
    page = Paginator(workers, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = worker_loads(list(page), viewer=request.user, on=today())
    return render(request, "toolkit/caseload.html", {"page": page, **filters})


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
