"""How much a person may type into one field: the one definition that models (max_length on
their CharFields and TextFields) and forms (GovukFormMixin's message) share.

A model TextField's max_length is not enforced by the database or by full_clean(); Django puts
it on the field's form field (and so the admin's), which is where people type.
"""

# A line: a title, a name, a post, a setting.
LINE_MAX_LENGTH = 200
# Free text: a few paragraphs, about 800 words, which is more than a succinct chronology entry
# or a section of a quarterly report needs, and far less than a pasted document.
TEXT_MAX_LENGTH = 5000


def too_long_message(label: str, limit: int) -> str:
    """The GOV.UK error for text over its limit: 'What happened must be 5,000 characters or
    fewer'."""
    return f"{label} must be {limit:,} characters or fewer"
