"""The tools a practitioner completes in the browser, by the slug in their URLs."""

from collections.abc import Callable
from dataclasses import dataclass, field

from neglect_portal.dates import today

from .content import suggested_day_version
from .models import (
    SDQ,
    AssessmentChecklist,
    DayInMyLife,
    NextSteps,
    ParentChildObservation,
    Tool,
)
from .tool_forms import ChecklistForm, DayInMyLifeForm, NextStepsForm, ObservationForm, SDQForm


def _day_start(child):
    return {"day_version": suggested_day_version(child.age_on(today()))}


def _sdq_start(child):
    # A first guess the practitioner can change on the form: the parent's questionnaire, at
    # the child's age today if the SDQ covers it.
    age = child.age_on(today())
    return {"informant": SDQ.Informant.PARENT, "age": age if age and 2 <= age <= 17 else None}


@dataclass(frozen=True)
class ToolKind:
    slug: str
    name: str
    model: type[Tool]
    form: type
    start_label: str
    complete_label: str
    start_fields: Callable = field(default=lambda child: {})


TOOL_KINDS = {
    kind.slug: kind
    for kind in (
        ToolKind(
            "day",
            "Day in my life",
            DayInMyLife,
            DayInMyLifeForm,
            "Start a day in my life tool",
            "Complete day in my life",
            _day_start,
        ),
        ToolKind(
            "checklist",
            "Assessment checklist",
            AssessmentChecklist,
            ChecklistForm,
            "Start an assessment checklist",
            "Complete checklist",
        ),
        ToolKind(
            "observation",
            "Parent–child observation",
            ParentChildObservation,
            ObservationForm,
            "Start a parent–child observation",
            "Complete observation",
        ),
        ToolKind(
            "sdq",
            "Strengths and Difficulties Questionnaire (SDQ)",
            SDQ,
            SDQForm,
            "Start an SDQ",
            "Complete SDQ",
            _sdq_start,
        ),
        ToolKind(
            "next-steps",
            "So what do we know? Next steps",
            NextSteps,
            NextStepsForm,
            "Start a \u201cSo what do we know? Next steps\u201d analysis",
            "Complete next steps",
        ),
    )
}
