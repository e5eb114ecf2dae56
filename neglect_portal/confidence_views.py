"""Practitioner confidence surveys (/confidence/): a practitioner's own surveys and the form
to complete one, and an agency lead's form for typing in a paper survey.

Only the respondent reads a survey's answers. The lead who typed in a paper survey lands on a
confirmation that names the person and the date and says they will not see the answers again;
every other view of the answers is an anonymous aggregate (the dataset's training coverage).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from . import access
from .confidence import FEWEST_SHOWN, QUESTIONS
from .confidence_forms import ConfidenceSurveyForm, PaperSurveyForm
from .dates import today
from .kept_answers import keeps_answers_through_sign_in, kept_answers
from .records import once
from .services import confidence_survey_add

PAGE_SIZE = 25
completes_survey = access.only_for(access.completes_confidence_survey)
enters_paper = access.only_for(access.enters_paper_survey)


@require_GET
@completes_survey
def my_surveys(request):
    surveys = access.confidence_surveys_visible_to(request.user).select_related("entered_by")
    page = Paginator(surveys, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "confidence/my_surveys.html",
        {"page": page, "questions": QUESTIONS, "fewest": FEWEST_SHOWN},
    )


@require_GET
def survey_detail(request, pk):
    # Looked up among the viewer's own: anyone else's survey is not found, whoever asks.
    survey = get_object_or_404(
        access.confidence_surveys_visible_to(request.user).select_related("entered_by", "agency"),
        pk=pk,
    )
    answers = [(question, getattr(survey, name)) for name, question in QUESTIONS.items()]
    return render(request, "confidence/survey_detail.html", {"survey": survey, "answers": answers})


def _form_data(request):
    if request.method == "POST":
        return request.POST
    kept = kept_answers(request)
    if kept is not None:
        messages.warning(
            request,
            "You were signed out before your survey was saved. Your answers are below: check "
            "them and save again",
        )
    return kept


def _survey_form_page(request, form, template, *, whose, url_name, saved=None):
    """The form, and on a valid POST the survey saved once: `whose(form)` gives (respondent,
    date completed). A repeat lands on the first one's page, and a refused survey (the same
    one again) shows why on the form."""
    if request.method == "POST" and form.is_valid():
        respondent, completed_on = whose(form)
        try:
            done = once.submit_once(
                request,
                lambda: confidence_survey_add(
                    respondent=respondent,
                    entered_by=request.user,
                    stage=form.cleaned_data["stage"],
                    completed_on=completed_on,
                    scores=form.scores,
                ),
                lambda survey: reverse(url_name, args=[survey.pk]),
            )
        except ValidationError as refused:
            form.add_error(None, refused.messages)
        else:
            if done.again:
                return once.already_saved(request, done.url)
            if saved:
                messages.success(request, saved)
            return redirect(done.url)
    elif request.method == "POST" and (earlier := once.earlier_result(request)):
        return once.already_saved(request, earlier)
    return render(request, template, {"form": form})


@keeps_answers_through_sign_in
@require_http_methods(["GET", "POST"])
@completes_survey
def survey_add(request):
    return _survey_form_page(
        request,
        ConfidenceSurveyForm(_form_data(request)),
        "confidence/survey_form.html",
        whose=lambda form: (request.user, today()),
        url_name="confidence:survey",
        saved="Your survey has been saved",
    )


@keeps_answers_through_sign_in
@require_http_methods(["GET", "POST"])
@enters_paper
def paper_survey_add(request):
    # The choices are the lead's own agency's people; the service checks again.
    return _survey_form_page(
        request,
        PaperSurveyForm(_form_data(request), lead=request.user),
        "confidence/paper_survey_form.html",
        whose=lambda form: (form.cleaned_data["respondent"], form.cleaned_data["completed_on"]),
        url_name="confidence:paper_survey_saved",
    )


@require_GET
def paper_survey_saved(request, pk):
    """Who and when, never the answers: they are the respondent's alone."""
    survey = get_object_or_404(
        access.paper_surveys_entered_by(request.user).select_related("respondent"), pk=pk
    )
    return render(request, "confidence/paper_survey_saved.html", {"survey": survey})
