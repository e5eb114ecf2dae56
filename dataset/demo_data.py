"""Demo figures for `make run`: the indicators four agencies submit, with a year of figures
(and the gaps real returns have: Education missed the latest quarter, Early Help one before
it), and training returns from five of the seven agencies, so the dataset's and the training
page's gaps show. Development only, like the rest of the demo data; running it again changes
nothing."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from neglect_portal import dates
from neglect_portal.demo import COMMUNITY_HEALTH, EARLY_HELP, EDUCATION, POLICE
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter

from . import live, results
from .indicators import Kind, Unit
from .models import AgencyReturn, PartnerIndicator, PublishedQuarter, Target
from .services import (
    agency_return_submit,
    partner_figure_submit,
    partner_indicator_add,
    quarter_publish,
    target_set,
)

# code, agency, title, definition, kind, unit, what is counted, higher is better,
# figures for the last four complete quarters, oldest first (None: not submitted; for a
# percentage, (numerator, denominator)).
INDICATORS = [
    (
        "AG_POLICE_NEGLECT_CRIMES",
        POLICE,
        "Neglect and cruelty crimes recorded",
        "The number of crimes of child neglect or cruelty to a child (Children and Young "
        "Persons Act 1933, section 1) recorded by the force in the county in the quarter, by "
        "the date the crime was recorded.",
        Kind.FLOW,
        Unit.COUNT,
        "crimes",
        True,  # the strategy wants neglect recognised and recorded, not hidden
        [41, 47, 52, 58],
    ),
    (
        "AG_HV_WAS_NOT_BROUGHT",
        COMMUNITY_HEALTH,
        "Health visitor contacts missed: was not brought",
        "Of the mandated health visitor contacts due in the quarter, the percentage missed "
        "because the child was not brought to the appointment (or not presented at a home "
        "visit), counted by the contact's due date.",
        Kind.FLOW,
        Unit.PERCENTAGE,
        "contacts",
        False,
        [(371, 4120), (344, 4075), (329, 4190), (298, 4210)],
    ),
    (
        "AG_SCHOOL_PERSISTENT_ABSENCE",
        EDUCATION,
        "Children on neglect plans persistently absent from school",
        "Of the school-age children on a child protection or child in need plan for neglect "
        "at the end of the quarter, the percentage persistently absent (missing 10% or more "
        "of possible sessions) in the quarter.",
        Kind.SNAPSHOT,
        Unit.PERCENTAGE,
        "children",
        False,
        [(52, 131), (49, 128), (47, 136), None],
    ),
    (
        "AG_EH_NEGLECT_ASSESSMENTS",
        EARLY_HELP,
        "Early help assessments identifying neglect",
        "The number of early help assessments completed in the quarter in which the "
        "practitioner identified neglect as a need.",
        Kind.FLOW,
        Unit.COUNT,
        "assessments",
        True,
        [85, 92, None, 110],
    ),
]

# Training returns: staff trained to date and target workforce, oldest quarter first. The
# Mental Health Trust and the Voluntary and Community Sector have sent none.
TRAINING = {
    "Children's Social Care": (800, [180, 260, 340, 415]),
    EARLY_HELP: (220, [60, 95, 130, 150]),
    POLICE: (310, [40, 70, 110, 150]),
    COMMUNITY_HEALTH: (450, [120, 180, 230, 290]),
    EDUCATION: (600, [90, 140, 210, 260]),
}


def _submitter(agency: Agency, admin: User) -> User:
    """The agency's lead when the demo has one, else the administrator who helped."""
    lead = User.objects.filter(agency=agency, role=User.Role.AGENCY_LEAD).first()
    return lead or admin


@transaction.atomic
def load_partner_demo(today: date | None = None) -> tuple[int, int]:
    """(indicators defined, figures and returns submitted) this time: 0s when already there."""
    today = today or dates.today()
    admin = User.objects.filter(role=User.Role.ADMINISTRATOR).order_by("pk").first()
    if admin is None:
        return 0, 0
    agencies = {agency.name: agency for agency in Agency.objects.all()}
    quarters = Quarter.containing(today).previous().last(4)
    defined = submitted = 0
    for code, owner, title, definition, kind, unit, counts, better, figures in INDICATORS:
        agency = agencies.get(owner)
        if agency is None:
            continue
        indicator = PartnerIndicator.objects.filter(code=code).first()
        if indicator is None:
            indicator = partner_indicator_add(
                code=code,
                title=title,
                definition=definition,
                agency=agency,
                kind=kind,
                unit=unit,
                counts=counts,
                higher_is_better=better,
                user=admin,
            )
            defined += 1
        have = set(indicator.figures.values_list("quarter", flat=True))
        for quarter, figure in zip(quarters, figures, strict=True):
            if figure is None or quarter in have:
                continue
            numerator, denominator = figure if isinstance(figure, tuple) else (figure, None)
            partner_figure_submit(
                indicator=indicator,
                quarter=quarter,
                numerator=numerator,
                denominator=denominator,
                user=_submitter(agency, admin),
                today=today,
            )
            submitted += 1
    for name, (workforce, trained) in TRAINING.items():
        agency = agencies.get(name)
        if agency is None:
            continue
        have = set(AgencyReturn.objects.filter(agency=agency).values_list("quarter", flat=True))
        for quarter, staff in zip(quarters, trained, strict=True):
            if quarter in have:
                continue
            agency_return_submit(
                agency=agency,
                quarter=quarter,
                staff_trained=staff,
                target_workforce=workforce,
                user=_submitter(agency, admin),
                today=today,
            )
            submitted += 1
    return defined, submitted


# code, target, why: set from the first of the demo's four quarters, as a Working Group
# would have agreed them when the dataset started.
TARGETS = [
    (
        "TOOLKIT_MANDATORY_COMPLETE",
        Decimal("60"),
        "Agreed by the Working Group: most children on a neglect plan have every mandatory tool "
        "current within the first year of the strategy",
    ),
    (
        "CP_REVIEW_OVERDUE",
        Decimal("5"),
        "Working Together 2023 timescales: almost no child's review conference may be late",
    ),
    (
        "TRAINING_COVERAGE",
        Decimal("50"),
        "Half of each agency's target workforce trained in neglect by the end of the first year",
    ),
    (
        "AG_HV_WAS_NOT_BROUGHT",
        Decimal("10"),
        "The health trust's own ambition: fewer than one contact in ten missed",
    ),
]


@transaction.atomic
def load_target_demo(today: date | None = None) -> int:
    """Targets for a few indicators (none for one already targeted): how many were set."""
    admin = User.objects.filter(role=User.Role.ADMINISTRATOR).order_by("pk").first()
    if admin is None:
        return 0
    since = Quarter.containing(today or dates.today()).previous().last(4)[0]
    set_now = 0
    for code, value, reason in TARGETS:
        if Target.objects.filter(code=code).exists():
            continue
        try:
            target_set(
                code=code,
                applies_from=since,
                value=value,
                reason=reason,
                user=admin,
                expected_version=0,
            )
        except KeyError:  # an agency's indicator the demo did not define
            continue
        set_now += 1
    return set_now


def publish_demo_quarter(today: date | None = None) -> Quarter | None:
    """Publish the quarter before the latest complete one, as an administrator would have at
    its meeting (the latest stays live for the demo's publishing). None when it already is.
    Run after the generated records, so the published figures are theirs."""
    admin = User.objects.filter(role=User.Role.ADMINISTRATOR).order_by("pk").first()
    quarter = Quarter.containing(today or dates.today()).previous().previous()
    if admin is None or PublishedQuarter.objects.filter(quarter=quarter).exists():
        return None
    # Publishing copies the quarter's figures as last calculated: calculated now if never.
    if quarter not in results.live_results([quarter]):
        live.refresh([quarter])
    quarter_publish(quarter=quarter, user=admin, today=today)
    return quarter


def load_demo() -> str | None:
    """Called by `manage.py load_demo_data` (neglect_portal.demo) after the demo sign-ins."""
    defined, submitted = load_partner_demo()
    targets = load_target_demo()
    if not (defined or submitted or targets):
        return None
    return (
        f"Demo dataset: {defined} indicators submitted by agencies defined, "
        f"{submitted} figures and training returns submitted, {targets} targets set."
    )
