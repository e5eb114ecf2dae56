"""The impact chronology's pages: read (and print), add, change, mark reviewed, download."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.timezone import now

from cases.services import child_opened
from neglect_portal import access
from neglect_portal.dates import long_date
from neglect_portal.models import Agency
from neglect_portal.records.history import history_entries
from neglect_portal.records.views import RecordFormView
from neglect_portal.spreadsheets import csv_response

from .chronology import NEGLECT_TYPES, merged_chronology
from .chronology_forms import ChronologyEntryChangeForm, ChronologyEntryForm
from .models import CHRONOLOGY_KIND, Chronology, ChronologyEntry
from .oversight_forms import oversight_context
from .services import chronology_entry_add, chronology_mark_reviewed

SHOW = {
    "all": "Everything",
    "entries": "Entries written by practitioners",
    "events": "Events from the case record",
    "significant": "Significant events only",
}


def _visible_child(request, pk):
    return get_object_or_404(access.children_visible_to(request.user), pk=pk)


def _filters(request):
    agencies = Agency.objects.filter(active=True)
    try:
        agency_id = int(request.GET["agency"]) if request.GET.get("agency") else None
    except ValueError:
        agency_id = None
    show = request.GET.get("show") if request.GET.get("show") in SHOW else "all"
    oldest_first = request.GET.get("order") == "oldest"
    return {
        "agencies": agencies,
        "agency_id": agency_id,
        "show": show,
        "oldest_first": oldest_first,
    }


def chronology(request, pk):
    # The chronology's own record (its review) comes with the child: one query fewer.
    child = get_object_or_404(
        access.children_visible_to(request.user).select_related("chronology__reviewed_by"),
        pk=pk,
    )
    return chronology_page(request, child)


def _chronology_of(child) -> Chronology | None:
    """The child's chronology record, or None: read with the child when chronology() fetched
    it alongside (select_related caches a missing one too), else in a query."""
    if type(child).chronology.related.is_cached(child):
        return getattr(child, "chronology", None)
    return Chronology.objects.filter(child=child).select_related("reviewed_by").first()


def chronology_page(request, child, *, oversight_form=None, read_for="", back_url=""):
    """The chronology (or its print), with the management oversight of its review.

    `read_for`: why someone who may read but not change the record opened it ("the audit
    Neglect audit 2026"): shown as the print is, without a control that changes anything, and
    said in the access log; `back_url` leads back to where they came from."""
    child_opened(child=child, user=request.user, reason=f"Read for {read_for}" if read_for else "")
    filters = _filters(request)
    items = merged_chronology(
        child,
        agency_id=filters["agency_id"],
        show=filters["show"],
        oldest_first=filters["oldest_first"],
    )
    record = _chronology_of(child)
    printed = request.resolver_match.url_name == "chronology_print"
    printing = printed or bool(read_for)
    return render(
        request,
        "toolkit/chronology.html",
        {
            "child": child,
            "items": items,
            "record": record,
            "show_choices": SHOW,
            **filters,
            "changeable": {
                item.entry.pk
                for item in items
                if item.is_entry and access.can_change_chronology_entry(request.user, item.entry)
            },
            "can_review": access.works_with_children(request.user),
            "printing": printing,
            "printed_at": now(),
            "read_for": read_for,
            "back_url": back_url,
            # A printed chronology goes on paper and into files: no menu of the portal's pages.
            **({"service_navigation": []} if printed else {}),
            **oversight_context(request.user, CHRONOLOGY_KIND, record, oversight_form),
        },
    )


class _ChronologyForm(RecordFormView):
    """The chronology's record forms: a caption naming the child, back to the chronology."""

    stale_thing = "entry"
    keeps_answers_through_sign_in = True  # an entry can take longer to write than a session

    def child(self):
        return access.child_of(self.object)

    def success_url(self, record):
        return reverse("toolkit:chronology", args=[access.child_of(record).pk])

    def context(self):
        child = self.child()
        return {
            "caption": str(child),
            "cancel_url": reverse("toolkit:chronology", args=[child.pk]),
        }


class ChronologyAdd(_ChronologyForm):
    form_class = ChronologyEntryForm
    title = "Add to the chronology"
    success_message = "Entry added to the chronology"

    def get_object(self):
        return _visible_child(self.request, self.kwargs["pk"])

    def may_change(self, user):
        return True  # anyone who can see the child adds to its chronology

    def new_instance(self):
        user = self.request.user
        return ChronologyEntry(author=user, source_agency=user.agency)

    def save(self, form):
        return chronology_entry_add(child=self.object, entry=form.instance)


class ChronologyEntryChange(_ChronologyForm):
    form_class = ChronologyEntryChangeForm
    title = "Change a chronology entry"
    success_message = "Chronology entry saved"

    def get_object(self):
        return get_object_or_404(
            access.records_visible_to(self.request.user, ChronologyEntry), pk=self.kwargs["pk"]
        )

    def may_change(self, user):
        return access.can_change_chronology_entry(user, self.object)

    def opened(self):
        child_opened(child=self.child(), user=self.request.user)


def chronology_entry_history(request, pk):
    entries = ChronologyEntry.objects.select_related("chronology")
    entry = get_object_or_404(access.records_visible_to(request.user, entries), pk=pk)
    child = access.child_of(entry)
    child_opened(child=child, user=request.user)
    return render(
        request,
        "toolkit/history.html",
        {
            "record": entry,
            "child": child,
            "title": f"History of the chronology entry of {long_date(entry.event_date)}",
            "entries": history_entries(entry),
            "back_url": reverse("toolkit:chronology", args=[child.pk]),
            "back_label": "Back to the chronology",
        },
    )


def chronology_review(request, pk):
    child = _visible_child(request, pk)  # outsiders learn nothing, not even the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not access.works_with_children(request.user):
        raise PermissionDenied
    chronology_mark_reviewed(child=child, user=request.user)
    messages.success(request, "Chronology marked as reviewed today")
    return redirect("toolkit:chronology", pk=child.pk)


CSV_HEADER = [
    "Date",
    "Agency",
    "Kind",
    "What happened",
    "Impact on the child",
    "Recorded",
    "Who was involved",
    "Impact",
    "Action or outcome",
    "Analysis",
    "Significant",
    "Types of neglect",
]


def _csv_row(item):
    entry = item.entry
    if entry is None:
        blank = [""] * 7
        return [
            item.day.isoformat(),
            item.agency,
            "Case record event",
            item.title,
            item.detail,
            *blank,
        ]
    return [
        entry.event_date.isoformat(),
        item.agency,
        "Entry",
        entry.what_happened,
        entry.impact_description,
        entry.recorded_on.isoformat(),
        entry.who_was_involved,
        entry.get_impact_display(),
        entry.action,
        entry.analysis,
        "Yes" if entry.significant else "No",
        ", ".join(NEGLECT_TYPES.get(code, code) for code in entry.neglect_types),
    ]


def chronology_csv(request, pk):
    child = _visible_child(request, pk)
    child_opened(child=child, user=request.user)
    rows = [_csv_row(item) for item in merged_chronology(child, oldest_first=True)]
    return csv_response(f"chronology-{child.pk}.csv", CSV_HEADER, rows)
