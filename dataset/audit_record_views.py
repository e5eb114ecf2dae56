"""What an auditor reads of a sampled child's record beyond the evidence pane: the whole
chronology, read only, while the round runs (access.audit_samples_visible_to), each opening
written to the child's access log."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET

from neglect_portal import access
from toolkit.chronology_views import chronology_page


@require_GET
def audit_chronology(request: HttpRequest, pk: int, sample: int) -> HttpResponse:
    found = get_object_or_404(
        access.audit_samples_visible_to(request.user).select_related("round", "child"),
        pk=sample,
        round_id=pk,
    )
    return chronology_page(
        request,
        found.child,
        read_for=f"the audit {found.round.title}",
        back_url=reverse("dataset:audit_form", args=[pk, found.pk]),
    )
