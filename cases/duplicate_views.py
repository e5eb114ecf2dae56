"""Possible duplicates: the list, the pair page, and the two decisions on it (cases.duplicates).
Pairs are named by the flag's id, never by anything about the children."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render

from neglect_portal import access
from neglect_portal.records.history import history_entries

from . import duplicates, services
from .models import ChildListAccess

PAGE_SIZE = 25
OUT_OF_DATE = "This page is out of date. Go back and open it again"


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MergeForm(DecisionForm):
    survivor = forms.TypedChoiceField(
        label="Which child's record do you keep?",
        coerce=int,
        error_messages={
            "required": "Select the child whose record you keep",
            "invalid_choice": "Select the child whose record you keep",
        },
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [(child.pk, child.la_child_id) for child in children]


def duplicate_list(request):
    if not access.reads_possible_duplicates(request.user):
        raise PermissionDenied
    flags = duplicates.open_duplicates(access.possible_duplicates_visible_to(request.user))
    page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
    services.children_listed(
        user=request.user,
        kind=ChildListAccess.Kind.POSSIBLE_DUPLICATES,
        what=f"Possible duplicates, page {page.number}",
        children=2 * len(page.object_list),
    )
    return render(request, "cases/duplicate_list.html", {"page": page})


def _visible_flag(request, pk):
    return get_object_or_404(
        access.possible_duplicates_visible_to(request.user).select_related("decided_by"), pk=pk
    )


def duplicate_detail(request, pk):
    flag = _visible_flag(request, pk)
    if not access.reads_possible_duplicates(request.user):
        raise PermissionDenied
    return _pair_page(request, flag)


def _pair_page(request, flag, *, merge_form=None, status=200):
    children = duplicates.pair_children(flag)
    for child in children:
        services.child_opened(child=child, user=request.user)
    initial = {"version": flag.version}
    return render(
        request,
        "cases/duplicate_detail.html",
        {
            "flag": flag,
            "children": children,
            "can_decide": flag.is_open and access.manages_duplicates(request.user),
            "not_the_same_form": DecisionForm(initial=initial),
            "merge_form": merge_form or MergeForm(initial=initial, children=children),
            "entries": history_entries(flag),
        },
        status=status,
    )


def _decision(request, pk):
    """The flag a decision names, inside the viewer's scope: outsiders learn nothing, not
    even the method."""
    flag = _visible_flag(request, pk)
    if request.method != "POST":
        return flag, HttpResponseNotAllowed(["POST"])
    if not access.manages_duplicates(request.user):
        raise PermissionDenied
    return flag, None


def duplicate_not_the_same(request, pk):
    flag, refused = _decision(request, pk)
    if refused:
        return refused
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise duplicates.DecisionRefused(OUT_OF_DATE)
        duplicates.duplicate_not_the_same(
            flag_id=flag.pk, expected_version=form.cleaned_data["version"], user=request.user
        )
    except duplicates.DecisionRefused as refusal:
        return _refused(request, flag, refusal)
    messages.success(request, "Recorded: these are not the same child")
    return redirect("cases:duplicate_detail", pk=flag.pk)


def _refused(request, flag, refusal):
    messages.warning(request, refusal.message)
    if refusal.gone:
        return redirect("cases:duplicate_list")
    return redirect("cases:duplicate_detail", pk=flag.pk)


def duplicate_merge(request, pk):
    flag, refused = _decision(request, pk)
    if refused:
        return refused
    if not flag.is_open:
        messages.warning(request, duplicates.decided_message(flag))
        return redirect("cases:duplicate_detail", pk=flag.pk)
    form = MergeForm(request.POST, children=duplicates.pair_children(flag))
    if not form.is_valid():
        if "version" in form.errors:
            messages.warning(request, OUT_OF_DATE)
            return redirect("cases:duplicate_detail", pk=flag.pk)
        return _pair_page(request, flag, merge_form=form)
    try:
        survivor = duplicates.duplicate_merge(
            flag_id=flag.pk,
            survivor_id=form.cleaned_data["survivor"],
            expected_version=form.cleaned_data["version"],
            user=request.user,
        )
    except duplicates.DecisionRefused as refusal:
        return _refused(request, flag, refusal)
    messages.success(request, "Children merged")
    return redirect("cases:child_detail", pk=survivor.pk)
