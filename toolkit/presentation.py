"""How a tool's answers read on screen: the read-only pages and the SDQ's scores."""

from .content import CHECKLIST_DOMAINS, DAY_SECTIONS, OBSERVATION_DOMAINS, Concern, ObservedQuality
from .sdq import IMPACT_ITEMS, ITEM_LABELS, ITEM_LABELS_2_4, form_version
from .tool_forms import ANSWERS, DIFFICULTY_CHOICES, IMPACT_ANSWERS, IMPACT_LABELS

SCALE_NAMES = {
    "emotional": "Emotional symptoms",
    "conduct": "Conduct problems",
    "hyperactivity": "Hyperactivity and inattention",
    "peer": "Peer relationship problems",
    "total": "Total difficulties",
    "externalising": "Externalising (conduct and hyperactivity)",
    "internalising": "Internalising (emotional and peer)",
    "prosocial": "Prosocial behaviour",
    "impact": "Impact",
}


def _rated(ratings, domains, rating_key, choices):
    labels = dict(choices)
    return [
        {
            "label": label,
            "rating": labels.get(ratings.get(key, {}).get(rating_key), "Not rated"),
            "evidence": ratings.get(key, {}).get("evidence", ""),
        }
        for key, label in domains.items()
    ]


def checklist_context(tool):
    return {"rows": _rated(tool.ratings, CHECKLIST_DOMAINS, "concern", Concern.choices)}


def observation_context(tool):
    return {"rows": _rated(tool.ratings, OBSERVATION_DOMAINS, "quality", ObservedQuality.choices)}


def day_context(tool):
    return {
        "rows": [
            {"label": label, **tool.sections.get(key, {})}
            for key, label in DAY_SECTIONS[tool.day_version].items()
        ]
    }


def next_steps_context(tool):
    steps = list(tool.steps.select_related("owner", "updated_by"))
    for step in steps:
        step.analysis = tool  # the predicates read it: no query per step
    return {"steps": steps}


def sdq_scores(tool):
    """The scores and bands of the answers so far, or None until the form can be scored."""
    try:
        form_version(tool.informant, tool.age)
    except ValueError:
        return None
    result = tool.scores()
    return {
        "version": result.version,
        "provisional": result.bands_provisional,
        "rows": [
            {
                "scale": label,
                "score": getattr(result, name),
                "band": getattr(result, f"{name}_band"),
            }
            for name, label in SCALE_NAMES.items()
        ],
    }


def sdq_context(tool):
    labels = ITEM_LABELS_2_4 if tool.age is not None and tool.age <= 4 else ITEM_LABELS
    answers = dict(ANSWERS)
    return {
        "scores": sdq_scores(tool),
        "impact_answers": sdq_impact_answers(tool),
        "items": [
            {
                "number": item,
                "label": label,
                "answer": answers.get(str(tool.responses.get(str(item))), "Not answered"),
            }
            for item, label in labels.items()
        ],
    }


def sdq_impact_answers(tool):
    """The impact supplement's answers, question by question: [{"question", "answer"}]."""
    impact = tool.impact or {}
    difficulties = dict(DIFFICULTY_CHOICES)
    answers = dict(IMPACT_ANSWERS)
    rows = [
        {
            "question": "Difficulties with emotions, concentration, behaviour or getting on "
            "with other people",
            "answer": difficulties.get(impact.get("difficulties"), "Not answered"),
        }
    ]
    rows += [
        {
            "question": IMPACT_LABELS[item],
            "answer": answers.get(str(impact.get(item)), "Not answered"),
        }
        for item in IMPACT_ITEMS.get(tool.informant, ())
    ]
    return rows


READ_CONTEXT = {
    "day": day_context,
    "checklist": checklist_context,
    "observation": observation_context,
    "sdq": sdq_context,
    "next-steps": next_steps_context,
}
