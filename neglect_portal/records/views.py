"""The generic record form view: add or change one record through a model form.

Subclasses say which record (`get_object`, looked up inside the viewer's scope so that an
outsider gets 404), who may change it (`may_change`: 403 for a reader who may not), and what
the page shows around the form (`context`). A save refused because someone else saved first
gets the one stale-edit page (status 409), with everything typed kept. A form that adds a
record carries a one-time token (`once`), so sending it twice adds one record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View

from neglect_portal.kept_answers import kept_answers

from . import once
from .forms import ReopenForm
from .stale import StaleRefusal, refuse_stale
from .versions import StaleEdit, record_update


def show_validation_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a ValidationError raised after form validation (a rule a service re-checked under
    its lock) next to the field it names, or above the form for a field the form lacks."""
    if hasattr(error, "error_dict"):
        for name, problems in error.error_dict.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
    else:
        form.add_error(None, error)


class RecordFormView(View):
    form_class: type[forms.ModelForm]
    title = ""
    success_message = ""
    # What the stale-edit page says someone else saved: "this record", "this action".
    stale_thing = "record"
    template_name = "records/form.html"
    # True: what a signed-out browser posted is shown again once its user signs back in.
    keeps_answers_through_sign_in = False
    kept_message = (
        "You were signed out before your answers were saved. They are below: check them and "
        "save again"
    )

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.object = self.get_object()
        if not self.may_change(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    # Hooks ---------------------------------------------------------------------------------
    def get_object(self) -> models.Model | None:
        """The record the URL names (the parent when adding), inside the viewer's scope;
        None for a page that adds a record with no parent."""
        raise NotImplementedError

    def may_change(self, user: Any) -> bool:
        raise NotImplementedError

    def new_instance(self) -> models.Model:
        """The record the form edits: `self.object` when editing, a new record when adding."""
        assert self.object is not None
        return self.object

    def form_kwargs(self) -> dict[str, Any]:
        return {}

    def save(self, form: forms.ModelForm) -> models.Model:
        if form.instance.pk is not None and "version" in form.fields:
            return record_update(form.instance, expected_version=form.cleaned_data["version"])
        form.instance.save()
        return form.instance

    def opened(self) -> None:
        """Called when the form is shown (the cases app logs that a child's record was
        opened)."""

    def success_url(self, record: models.Model) -> str:
        raise NotImplementedError

    def context(self) -> dict[str, Any]:
        """What the page shows around the form: `cancel_url`, and a `caption` or
        `breadcrumbs` template if it has them."""
        return {}

    # Flow ----------------------------------------------------------------------------------
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.opened()
        kept = kept_answers(request) if self.keeps_answers_through_sign_in else None
        if kept is None:
            return self.render(self.form(None))
        messages.warning(request, self.kept_message)
        form = self.form(kept)
        form.is_valid()  # shows what is still missing, as the page did when it was sent
        return self.render(form)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form(request.POST)
        if not form.is_valid():
            earlier = once.earlier_result(request)
            return once.already_saved(request, earlier) if earlier else self.render(form)
        try:
            if form.instance.pk is None:
                done = once.submit_once(request, lambda: self.save(form), self.success_url)
                if done.again:
                    return once.already_saved(request, done.url)
                url = done.url
            else:
                url = self.success_url(self.save(form))
        except StaleEdit as stale:
            saved = self.form_class(instance=stale.current, **self.form_kwargs())
            refusal = refuse_stale(
                form, saved, version=stale.current.version, thing=self.stale_thing
            )
            return self.render(form, stale=refusal, status=409)
        except ValidationError as error:
            show_validation_error(form, error)
            return self.render(form)
        messages.success(request, self.success_message)
        return redirect(url)

    def form(self, data: Any) -> forms.ModelForm:
        form = self.form_class(data, instance=self.new_instance(), **self.form_kwargs())
        return once.carry_token(form) if form.instance.pk is None else form

    def render(
        self, form: forms.BaseForm, *, stale: StaleRefusal | None = None, status: int = 200
    ) -> HttpResponse:
        context = {"form": form, "title": self.title, "stale": stale, **self.context()}
        return render(self.request, self.template_name, context, status=status)


def reopen_page(
    request: HttpRequest,
    *,
    what: str,
    kept: str,
    reopen: Callable[[str], object],
    reopened: str,
    back_to: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The one page that reopens a locked record (a completed tool, a submitted quarter):
    asks why, calls `reopen(reason)`, and goes `back_to` the record saying `reopened`. The
    caller has already checked the viewer may reopen it."""
    form = ReopenForm(request.POST if request.method == "POST" else None, what=what, kept=kept)
    if request.method == "POST" and form.is_valid():
        try:
            reopen(form.cleaned_data["reason"])
        except StaleEdit:
            form.add_error(
                None,
                f"Someone else changed this {what} after you opened this page. Go back to it "
                "to see what they changed",
            )
        else:
            messages.success(request, reopened)
            return redirect(back_to)
    return render(request, "records/form.html", {"form": form, "cancel_url": back_to, **context})
