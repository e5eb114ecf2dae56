"""Writes of the ground layer that more than a model's save is needed for."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from . import access
from .confidence import SCORE_FIELDS
from .models import SURVEY_ALREADY_SAVED, ConfidenceSurvey, User


@transaction.atomic
def confidence_survey_add(
    *,
    respondent: User,
    entered_by: User,
    stage: str,
    completed_on: date,
    scores: dict[str, int],
) -> ConfidenceSurvey:
    """Save a survey `respondent` completed: online by themselves, or on paper and typed in by
    `entered_by`, their agency's lead. It is kept with the agency the respondent works in now.
    A second survey at the same stage on the same day is refused (ValidationError), however
    the two arrive, so a repeat is never counted twice."""
    if entered_by.pk == respondent.pk:
        allowed = access.completes_confidence_survey(respondent)
    else:
        allowed = access.enters_paper_survey(entered_by, respondent)
    if not allowed:
        raise PermissionDenied
    survey = ConfidenceSurvey(
        respondent=respondent,
        agency_id=respondent.agency_id,
        entered_by=entered_by,
        stage=stage,
        completed_on=completed_on,
        **{name: scores[name] for name in SCORE_FIELDS},
    )
    survey.full_clean()
    try:
        # A savepoint: the same survey sent at the same moment fails the unique constraint
        # here, and the caller's transaction (the one-time token's) carries on to say so.
        with transaction.atomic():
            survey.save()
    except IntegrityError:
        raise ValidationError(SURVEY_ALREADY_SAVED) from None
    return survey
