from django import template

register = template.Library()

# GOV.UK tag colours for each rating; the words are always shown, colour is never the only cue.
RAG_TAG = {
    "red": "govuk-tag--red",
    "amber": "govuk-tag--orange",
    "green": "govuk-tag--green",
    "complete": "govuk-tag--blue",
}


@register.filter
def rag_class(rag) -> str:
    return RAG_TAG.get(str(rag or ""), "govuk-tag--grey")


@register.filter
def signed(change) -> str:
    """+2, −1 or 0: the change since the previous quarter."""
    if change is None:
        return ""
    return f"+{change}" if change > 0 else ("0" if change == 0 else f"−{-change}")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
