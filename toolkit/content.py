"""The toolkit's own wording: domains, sections and scales (shared/domain.md §3).

Written for the partnership; none of it reproduces a licensed tool (the NSPCC Graded Care
Profile 2, the SDQ's items).
"""

from django.db import models


class NeglectType(models.TextChoices):
    """Horwath's six types of neglect."""

    MEDICAL = "medical", "Medical"
    NUTRITIONAL = "nutritional", "Nutritional"
    EMOTIONAL = "emotional", "Emotional"
    SUPERVISION = "supervision", "Supervision and guidance"
    EDUCATIONAL = "educational", "Educational"
    PHYSICAL = "physical", "Physical"


class Impact(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"
    NEUTRAL = "neutral", "Neutral"


class Concern(models.TextChoices):
    """The checklist's short ordered scale."""

    NOT_CONCERNED = "not_concerned", "Not concerned"
    SOME_CONCERN = "some_concern", "Some concern"
    VERY_CONCERNED = "very_concerned", "Very concerned"


class ObservedQuality(models.TextChoices):
    STRENGTH = "strength", "A strength"
    ADEQUATE = "adequate", "Adequate"
    SOME_CONCERN = "some_concern", "Some concern"
    SERIOUS_CONCERN = "serious_concern", "Serious concern"


CHECKLIST_DOMAINS = {
    "nutrition": "Nutrition",
    "physical_care": "Physical care and hygiene",
    "health_development": "Health and development, including missed appointments",
    "home_conditions": "Home conditions",
    "safety_supervision": "Safety and supervision",
    "emotional_warmth": "Emotional warmth and responsiveness",
    "stimulation_education": "Stimulation and education",
    "parental_capacity": "Parental capacity and motivation to change",
}

OBSERVATION_DOMAINS = {
    "warmth": "Warmth and affection",
    "responsiveness": "Responsiveness to the child's cues",
    "communication": "Communication",
    "praise_criticism": "Praise and criticism",
    "boundaries": "Boundaries",
    "safety_supervision": "Safety and supervision",
    "child_response": "The child's response to the carer",
    "child_presentation": "The child's presentation",
}


class DayVersion(models.TextChoices):
    BABY = "baby", "Baby (under 1)"
    PRE_SCHOOL = "pre_school", "Pre-school child (1 to 4)"
    SCHOOL_AGE = "school_age", "School-age child (5 to 12)"
    ADOLESCENT = "adolescent", "Adolescent (13 and over)"
    DISABLED = "disabled", "Disabled child"


_SCHOOL_DAY = {
    "waking": "Waking and getting up",
    "morning": "Breakfast, washing and dressing",
    "getting_there": "Getting to nursery or school",
    "the_day": "The day at nursery or school",
    "after_school": "After school: supervision, play and homework",
    "evening_meal": "Evening meal",
    "bedtime": "Bath and bedtime",
    "night": "Night time: sleep and who is in the home",
    "weekends": "Weekends and holidays",
}

DAY_SECTIONS = {
    DayVersion.BABY: {
        "feeding": "Feeding",
        "changing": "Changing and bathing",
        "sleep": "Safe sleep",
        "soothing": "Soothing and comfort",
        "stimulation": "Play and stimulation",
        "night": "Night time: sleep and who is in the home",
        "weekends": "Weekends and holidays",
    },
    DayVersion.PRE_SCHOOL: _SCHOOL_DAY,
    DayVersion.SCHOOL_AGE: _SCHOOL_DAY,
    DayVersion.ADOLESCENT: {
        **_SCHOOL_DAY,
        "independence": "Independence and responsibilities",
        "online": "Online life",
        "outside_home": "Time outside the home",
    },
    DayVersion.DISABLED: {
        **_SCHOOL_DAY,
        "care_needs": "Personal care and health needs",
        "communication": "How the child communicates their needs",
    },
}


def suggested_day_version(age):
    """The version for a child's age in years (None: unborn or not known)."""
    if age is None or age < 1:
        return DayVersion.BABY
    if age < 5:
        return DayVersion.PRE_SCHOOL
    if age < 13:
        return DayVersion.SCHOOL_AGE
    return DayVersion.ADOLESCENT
