"""DfE Children in Need census codes (see shared/domain.md §2), and the portal's local lists.

Kept as TextChoices so forms, validation and the census import read the same lists.
"""

from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known or not stated"


class Ethnicity(models.TextChoices):
    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy or Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Disability(models.TextChoices):
    NONE = "NONE", "No disability"
    MOB = "MOB", "Mobility"
    HAND = "HAND", "Hand function"
    PC = "PC", "Personal care"
    INC = "INC", "Incontinence"
    COMM = "COMM", "Communication"
    LD = "LD", "Learning"
    HEAR = "HEAR", "Hearing"
    VIS = "VIS", "Vision"
    BEH = "BEH", "Behaviour"
    CON = "CON", "Consciousness"
    AUT = "AUT", "Autism or Asperger syndrome"
    DDA = "DDA", "Other disability"


class ReferralSource(models.TextChoices):
    INDIVIDUAL_FAMILY = "1A", "Individual: family member, relative or carer"
    INDIVIDUAL_ACQUAINTANCE = "1B", "Individual: acquaintance"
    INDIVIDUAL_SELF = "1C", "Individual: self"
    INDIVIDUAL_OTHER = "1D", "Individual: other"
    SCHOOLS = "2A", "Schools"
    EDUCATION_SERVICES = "2B", "Education services"
    HEALTH_GP = "3A", "Health: GP"
    HEALTH_VISITOR = "3B", "Health: health visitor"
    HEALTH_SCHOOL_NURSE = "3C", "Health: school nurse"
    HEALTH_OTHER_PRIMARY = "3D", "Health: other primary health services"
    HEALTH_AE = "3E", "Health: A&E"
    HEALTH_OTHER = "3F", "Health: other"
    HOUSING = "4", "Housing"
    LA_SOCIAL_CARE = "5A", "LA services: social care"
    LA_OTHER_INTERNAL = "5B", "LA services: other internal"
    LA_EXTERNAL = "5C", "LA services: external"
    LA_EARLY_HELP = "5D", "LA services: early help"
    POLICE = "6", "Police"
    OTHER_LEGAL = "7", "Other legal agency"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class PresentingFactor(models.TextChoices):
    """Local list: the census records no presenting factors, the partnership does."""

    NEGLECT = "neglect", "Neglect"
    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    PARENTAL_MENTAL_HEALTH = "parental_mental_health", "Parental mental health"
    PARENTAL_SUBSTANCE_MISUSE = "parental_substance_misuse", "Parental alcohol or drug misuse"
    EXPLOITATION = "exploitation", "Child exploitation"
    OTHER = "other", "Other"


class PrimaryNeed(models.TextChoices):
    N0 = "N0", "N0 Not stated"
    N1 = "N1", "N1 Abuse or neglect"
    N2 = "N2", "N2 Child's disability or illness"
    N3 = "N3", "N3 Parental disability or illness"
    N4 = "N4", "N4 Family in acute stress"
    N5 = "N5", "N5 Family dysfunction"
    N6 = "N6", "N6 Socially unacceptable behaviour"
    N7 = "N7", "N7 Low income"
    N8 = "N8", "N8 Absent parenting"
    N9 = "N9", "N9 Cases other than children in need"


class ClosureReason(models.TextChoices):
    RC1 = "RC1", "RC1 Adopted"
    RC2 = "RC2", "RC2 Died"
    RC3 = "RC3", "RC3 Child arrangements order"
    RC4 = "RC4", "RC4 Special guardianship order"
    RC5 = "RC5", "RC5 Transferred to another local authority"
    RC6 = "RC6", "RC6 Transferred to adult social care"
    RC7 = "RC7", "RC7 Services ceased for any other reason"
    RC8 = "RC8", "RC8 Closed after assessment, no further action"
    RC9 = "RC9", "RC9 Closed after assessment, referred to early help"


class VoiceAnswer(models.TextChoices):
    """Local list: the voice of the child at a CP review (shared/domain.md §9). The census has
    no such answers, so a review it imported has none: blank is "not recorded", never a
    choice a person makes."""

    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate for the child's age or understanding"


class CPCategory(models.TextChoices):
    NEG = "NEG", "Neglect"
    PHY = "PHY", "Physical abuse"
    EMO = "EMO", "Emotional abuse"
    SAB = "SAB", "Sexual abuse"
    MUL = "MUL", "Multiple"


NEGLECT_FACTOR = "16A"

# Census assessment factors: A child, B parent or carer, C other person in the household.
ASSESSMENT_FACTORS = {
    "1A": "Alcohol misuse: child",
    "1B": "Alcohol misuse: parent or carer",
    "1C": "Alcohol misuse: other person",
    "2A": "Drug misuse: child",
    "2B": "Drug misuse: parent or carer",
    "2C": "Drug misuse: other person",
    "3A": "Domestic violence: child",
    "3B": "Domestic violence: parent or carer",
    "3C": "Domestic violence: other person",
    "4A": "Mental health: child",
    "4B": "Mental health: parent or carer",
    "4C": "Mental health: other person",
    "5A": "Learning disability: child",
    "5B": "Learning disability: parent or carer",
    "5C": "Learning disability: other person",
    "6A": "Physical disability or illness: child",
    "6B": "Physical disability or illness: parent or carer",
    "6C": "Physical disability or illness: other person",
    "7A": "Young carer",
    "8B": "Privately fostered: overseas, for education or health",
    "8C": "Privately fostered: overseas, intending to stay",
    "8D": "Privately fostered: UK, parents living elsewhere",
    "8E": "Privately fostered: UK, joining a relative",
    "8F": "Privately fostered: other",
    "9A": "Unaccompanied asylum-seeking child",
    "10A": "Going missing",
    "11A": "Child sexual exploitation",
    "12A": "Trafficking",
    "13A": "Gangs",
    "14A": "Socially unacceptable behaviour",
    "15A": "Self-harm",
    "16A": "Neglect",
    "17A": "Emotional abuse",
    "18A": "Physical abuse: child",
    "18B": "Physical abuse: parent or carer",
    "18C": "Physical abuse: other person",
    "19A": "Sexual abuse: child",
    "19B": "Sexual abuse: parent or carer",
    "19C": "Sexual abuse: other person",
    "20": "Other",
    "21": "No factors identified",
    "22A": "Female genital mutilation",
    "23A": "Abuse linked to faith or belief",
    "24A": "Child criminal exploitation",
}
ASSESSMENT_FACTOR_CHOICES = list(ASSESSMENT_FACTORS.items())
