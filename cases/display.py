"""How case record values read on screen: labels for codes, British dates, yes and no."""

from datetime import date

from .codes import ASSESSMENT_FACTORS, Disability, PresentingFactor

# JSON list fields hold codes; these are their labels.
LIST_LABELS = {
    "disabilities": dict(Disability.choices),
    "presenting_factors": dict(PresentingFactor.choices),
    "factors": {code: f"{code} {label}" for code, label in ASSESSMENT_FACTORS.items()},
}


def display_value(field, value) -> str:
    if value in (None, "", []):
        return "Not recorded"
    if isinstance(value, list):
        labels = LIST_LABELS.get(field.name, {})
        return ", ".join(str(labels.get(code, code)) for code in value)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    return str(value)
