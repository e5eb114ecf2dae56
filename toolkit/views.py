from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from neglect_portal import access

from .selectors import caseload_with_status
from .status import MANDATORY_TOOLS


def my_children(request):
    if not access.works_with_children(request.user):
        raise PermissionDenied
    rows = caseload_with_status(request.user, on=date.today())
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(request, "toolkit/my_children.html", {
        "page": page, "tools": MANDATORY_TOOLS.values(),
        "for_agency": request.user.is_team_manager,
    })
