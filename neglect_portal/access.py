"""Who may see or change what: the only place that decides it.

Views, templates and the navigation ask these predicates; nothing else compares roles.
Which children, and which records about children, a user may see is decided here too
(`children_visible_to`, `records_visible_to`): every view, list, drill-down and export starts
from them, so an outsider gets 404 and learns nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from .dates import today

if TYPE_CHECKING:
    from .models import Agency, User

# A record of an app standing on this one (a tool, a plan, a quarter's report): read by its
# attributes, since the ground layer imports none of those apps.
Record = Any


def _signed_in(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def only_for(predicate: Callable[[Any], bool]) -> Callable[[Callable], Callable]:
    """View decorator: 403 for a user `predicate` refuses. For views that name no record;
    a view that does looks the record up first, so that an outsider gets 404 instead."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return checked

    return decorate


def can_use_admin(user: User) -> bool:
    """Django admin is for administrators only."""
    return _signed_in(user) and user.is_administrator


def sees_every_child(user: User) -> bool:
    """Children's social care holds the statutory record, so its staff may see every child."""
    return _signed_in(user) and user.agency.is_childrens_social_care


def works_with_children(user: User) -> bool:
    """Practitioners and their managers work cases and complete the toolkit."""
    return _signed_in(user) and (user.is_practitioner or user.is_team_manager)


def oversees_workers(user: User) -> bool:
    """Team managers see each of their workers' tasks and caseload."""
    return works_with_children(user) and user.is_team_manager


def reads_partnership_aggregates(user: User) -> bool:
    """The quarterly dataset and every agency's action plan are for scrutiny by these roles."""
    return _signed_in(user) and (
        user.is_agency_lead or user.is_working_group_member or user.is_administrator
    )


def reads_dataset(user: User) -> bool:
    """The quarterly neglect dataset: its figures for everyone in these roles; the records
    behind a figure only as far as the viewer may see the children (dataset.selectors)."""
    return reads_partnership_aggregates(user)


def leads_agency_plan(user: User) -> bool:
    """Agency leads own and RAG-rate their own agency's neglect action plan."""
    return _signed_in(user) and user.is_agency_lead


def can_change_case_records(user: User) -> bool:
    """The statutory record (child's details, referrals, assessments, plans) is children's
    social care's: its practitioners and managers keep it, partners read it and refer."""
    return works_with_children(user) and user.agency.is_childrens_social_care


def can_change_allocation(user: User) -> bool:
    """Who a child's allocated worker is belongs to children's social care's record: its
    practitioners and team managers change it, as they could on the child's details before
    allocations were dated. Allocation gives sight of the child, so no partner may."""
    return can_change_case_records(user)


def can_record_involvement(user: User, agency: Agency) -> bool:
    """Practitioners record their own agency's involvement; children's social care any."""
    return works_with_children(user) and (
        user.agency.is_childrens_social_care or agency.pk == user.agency_id
    )


def can_refer_a_child(user: User) -> bool:
    """Any agency's practitioners can refer a child to children's social care."""
    return works_with_children(user)


def reads_possible_duplicates(user: User) -> bool:
    """Possible duplicate children name children, so the list is for those who see every
    child and keep the statutory record (children's social care's practitioners, who often
    know whether two records are one child, and its managers and administrators)."""
    return sees_every_child(user) and (works_with_children(user) or user.is_administrator)


def manages_duplicates(user: User) -> bool:
    """A merge moves one child's whole record onto another and cannot be undone, and "not the
    same child" stops the pair being flagged again: decided, like reopening a completed tool,
    by children's social care's team managers, and by its administrators, who fix the data."""
    return sees_every_child(user) and (user.is_team_manager or user.is_administrator)


def can_read_access_log(user: User) -> bool:
    return can_use_admin(user)


def _keeps_agency_work(user: User, author_id: int, agency_id: int) -> bool:
    """An agency's own record: changed by its author while they still work there (access
    follows the person), or by a team manager of that agency."""
    return user.agency_id == agency_id and (author_id == user.pk or user.is_team_manager)


def can_edit_tool(user: User, tool: Record) -> bool:
    """A draft is edited by its author or a team manager of the author's agency; a completed
    tool is read-only to everyone."""
    if not _signed_in(user) or tool.is_completed:
        return False
    return _keeps_agency_work(user, tool.author_id, tool.author_agency_id)


def can_change_chronology_entry(user: User, entry: Record) -> bool:
    """Anyone who sees the child adds to the chronology; an entry is changed by its author or
    a team manager of the agency it came from."""
    return _signed_in(user) and _keeps_agency_work(user, entry.author_id, entry.source_agency_id)


def can_record_sdq_need(user: User, child: Record) -> bool:
    """Those who start tools for a child they can see record that it needs an SDQ (the SDQ's
    author edits it, as any tool: can_edit_tool)."""
    return works_with_children(user) and children_visible_to(user).filter(pk=child.pk).exists()


def can_reopen_tool(user: User, tool: Record) -> bool:
    return (
        _signed_in(user)
        and tool.is_completed
        and user.is_team_manager
        and user.agency_id == tool.author_agency_id
    )


def can_update_next_step(user: User, step: Record) -> bool:
    """Once the analysis is completed (locked), a step's status is updated without reopening
    it: by the step's owner, or by the author's team (the author, a colleague in the author's
    team, or a team manager of the author's agency)."""
    analysis = step.analysis
    # Ownership and teams outlast a move to a read-only role; the predicate does not.
    if not works_with_children(user) or not analysis.is_completed:
        return False
    if step.owner_id == user.pk or _keeps_agency_work(
        user, analysis.author_id, analysis.author_agency_id
    ):
        return True
    team = analysis.author.team_id
    return team is not None and user.team_id == team and user.agency_id == analysis.author_agency_id


def can_record_oversight(user: User, tool: Record) -> bool:
    """Management oversight of a completed tool or a chronology review (domain.md §7): by a
    team manager of the agency whose practitioner did the work, and never of their own."""
    if not (_signed_in(user) and user.is_team_manager and tool.ready_for_oversight):
        return False
    author_id, agency_id = tool.done_by
    return agency_id == user.agency_id and author_id != user.pk


# Action plans ------------------------------------------------------------------------------
# Agency leads keep their own agency's plan; administrators may change any and reopen a
# submitted quarter. Other leads and the Working Group read every plan that is not a draft
# (peer scrutiny). Practitioners and team managers see a plan only when they own one of its
# actions. Everyone else is an outsider and learns nothing (404).


def reads_every_action_plan(user: User) -> bool:
    """Agency leads, the Working Group and administrators read every non-draft plan."""
    return reads_partnership_aggregates(user)


def can_add_action_plan(user: User, agency: Agency) -> bool:
    return _signed_in(user) and (
        user.is_administrator or (user.is_agency_lead and agency.pk == user.agency_id)
    )


def can_change_action_plan(user: User, plan: Record) -> bool:
    """Plan details, its actions and its quarterly updates."""
    return can_add_action_plan(user, plan.agency)


def action_plans_visible_q(user: User) -> Q:
    """The rows of ActionPlan a user may see, as a filter (used by actionplans.selectors)."""
    if not _signed_in(user):
        return Q(pk__in=[])
    if user.is_administrator:
        return Q()
    visible = Q(actions__owner=user)
    if user.is_agency_lead:
        visible |= Q(agency_id=user.agency_id)
    if reads_every_action_plan(user):
        visible |= ~Q(status="draft")
    return visible


def can_read_quarterly_report(user: User, plan: Record, report: Record | None) -> bool:
    """A submitted quarter is published to everyone who sees the plan; a quarter still being
    written is for those who write it."""
    return (report is not None and report.is_submitted) or can_change_action_plan(user, plan)


def can_change_quarter(user: User, plan: Record, report: Record | None) -> bool:
    return can_change_action_plan(user, plan) and not (report is not None and report.is_submitted)


def can_reopen_quarter(user: User, report: Record | None) -> bool:
    return _signed_in(user) and user.is_administrator and report is not None and report.is_submitted


# Working Group scrutiny -----------------------------------------------------------------
# Members of the Working Group (the Independent Chair among them) challenge agencies; the
# addressed agency's lead answers; whoever raised it, or the chair, closes it. Everyone who
# reads plans reads every challenge and its answer. The group's decisions and IPAG referrals are
# its public record: every reader of plans reads them all; the chair or an administrator
# records them.


def chairs_working_group(user: User) -> bool:
    """The Independent Chair: a Working Group member flagged as chair (access follows the
    person, so a chair moved to another role no longer chairs)."""
    return _signed_in(user) and user.is_working_group_member and user.is_chair


def raises_challenges(user: User) -> bool:
    """Working Group members, the chair among them."""
    return _signed_in(user) and user.is_working_group_member


def can_answer_challenge(user: User, challenge: Record, *, even_if_closed: bool = False) -> bool:
    """The addressed agency's lead (or an administrator) answers until it is closed; a new
    answer replaces the last, which the history keeps. `even_if_closed`: whether they could
    have, had it not been closed (to tell them it was, rather than refuse them)."""
    if not _signed_in(user) or (challenge.is_closed and not even_if_closed):
        return False
    return user.is_administrator or (user.is_agency_lead and user.agency_id == challenge.agency_id)


def can_close_challenge(user: User, challenge: Record, *, even_if_closed: bool = False) -> bool:
    """Whoever raised it, while still in the Working Group, or the chair."""
    if not _signed_in(user) or (challenge.is_closed and not even_if_closed):
        return False
    return chairs_working_group(user) or (
        raises_challenges(user) and challenge.raised_by_id == user.pk
    )


def records_decisions(user: User) -> bool:
    """The meeting's date, its decisions and IPAG referrals: the chair or an administrator."""
    return chairs_working_group(user) or (_signed_in(user) and user.is_administrator)


def reads_decisions(user: User) -> bool:
    """The group's record of its meetings is read by everyone who reads plans."""
    return reads_every_action_plan(user)


def challenges_visible_q(user: User) -> Q:
    """The rows of Challenge a user may see, as a filter (used by actionplans.selectors)."""
    if not _signed_in(user):
        return Q(pk__in=[])
    # The Working Group is the agency leads and the chair: what one agency is asked, and how it
    # answers, is read by every other (and the meeting pack lists them all).
    return Q() if reads_every_action_plan(user) else Q(pk__in=[])


# The quarterly dataset's writes ----------------------------------------------------------


def submits_agency_return(user: User, agency: Agency) -> bool:
    """An agency's lead submits and corrects its quarterly return (the figures no case record
    holds); administrators may for any agency, to help one that cannot."""
    return _signed_in(user) and (
        user.is_administrator or (user.is_agency_lead and agency.pk == user.agency_id)
    )


def publishes_dataset(user: User) -> bool:
    """Publishing fixes the figures the Working Group reports, so only administrators do it."""
    return _signed_in(user) and user.is_administrator


def sets_targets(user: User) -> bool:
    """An indicator's target is what the Working Group judges each figure against: set and
    withdrawn by administrators, with a reason; everyone who reads the dataset reads them."""
    return _signed_in(user) and user.is_administrator


def defines_partner_indicators(user: User) -> bool:
    """What an agency's own indicator counts is part of the dataset's contract, like the
    built-in definitions: administrators define and change them; the owning agency's lead
    submits the figures (`submits_agency_return`)."""
    return _signed_in(user) and user.is_administrator


# Practitioner confidence surveys ----------------------------------------------------------
# A survey's answers are its respondent's alone: every other view of them is an anonymous
# aggregate (the dataset's training coverage page and CONFIDENCE_CHANGE). An agency lead who
# types in a paper survey for one of their practitioners does not read it back afterwards.


def completes_confidence_survey(user: User) -> bool:
    """Those who go on neglect training and work cases: practitioners and team managers."""
    return works_with_children(user)


def enters_paper_survey(user: User, respondent: User | None = None) -> bool:
    """An agency lead types in a paper survey for someone of their own agency who completes
    surveys (with no `respondent`: whether they may enter any at all)."""
    if not (_signed_in(user) and user.is_agency_lead):
        return False
    return respondent is None or (
        respondent.agency_id == user.agency_id and completes_confidence_survey(respondent)
    )


def confidence_surveys_visible_to(user: Any) -> QuerySet:
    """The surveys whose answers `user` may read: their own, whoever typed them in."""
    surveys = apps.get_model("neglect_portal", "ConfidenceSurvey").objects
    if not _signed_in(user):
        return surveys.none()
    return surveys.filter(respondent=user)


def paper_survey_respondents(user: Any) -> QuerySet:
    """Whom an agency lead may enter a paper survey for: the active practitioners and team
    managers of their agency (enters_paper_survey's rule, as a list to choose from)."""
    people = apps.get_model("neglect_portal", "User").objects
    if not enters_paper_survey(user):
        return people.none()
    return people.filter(
        agency_id=user.agency_id,
        is_active=True,
        role__in=[people.model.Role.PRACTITIONER, people.model.Role.TEAM_MANAGER],
    )


def paper_surveys_entered_by(user: Any) -> QuerySet:
    """The paper surveys `user` typed in for someone else: for the confirmation page, which
    names the person and the date and never the answers."""
    surveys = apps.get_model("neglect_portal", "ConfidenceSurvey").objects
    if not _signed_in(user):
        return surveys.none()
    return surveys.filter(entered_by=user).exclude(respondent=user)


# The multi-agency case audit ---------------------------------------------------------------
# Administrators and the Working Group run rounds (draw the sample, name the auditors, close
# it, group the learning and agree actions); everyone who reads the dataset reads a round's
# results, which name no child. A sampled child's record is read by their audit team (the lead
# auditor from children's social care and auditors from the agencies involved) only while the
# round runs: from its start until it closes or its end date passes.


def runs_audits(user: User) -> bool:
    return _signed_in(user) and (user.is_administrator or user.is_working_group_member)


def reads_audit_results(user: User) -> bool:
    return reads_partnership_aggregates(user)


def leads_audits(user: User) -> bool:
    """A lead auditor is one of children's social care's practitioners or managers."""
    return works_with_children(user) and user.agency.is_childrens_social_care


def audits_case(user: User) -> bool:
    """Auditors from the other agencies are their practitioners and managers."""
    return works_with_children(user)


def _case_workers() -> QuerySet:
    user = apps.get_model("neglect_portal", "User")
    return user.objects.filter(
        is_active=True, role__in=[user.Role.PRACTITIONER, user.Role.TEAM_MANAGER]
    ).select_related("agency")


def audit_lead_candidates() -> QuerySet:
    """Who may be named lead auditor (leads_audits, as a list to choose from)."""
    agency = apps.get_model("neglect_portal", "Agency")
    return _case_workers().filter(agency__kind=agency.Kind.CHILDRENS_SOCIAL_CARE)


def auditor_candidates(agency_ids: list[int]) -> QuerySet:
    """Who may audit a child beside the lead (audits_case): the practitioners and managers of
    the agencies involved with the child on the sample date."""
    return _case_workers().filter(agency_id__in=agency_ids)


def _audit_model(name: str) -> Any:
    return apps.get_model("dataset", name)


def _rounds_running(on: date | None) -> Q:
    day = on or today()
    return Q(status="in_progress", starts_on__lte=day, ends_on__gte=day)


def audit_samples_on_team(user: Any) -> QuerySet:
    """The sampled children `user` is (or was) on the audit team of, in any round, running
    or not: only to tell a team member who sends an audit after their round ended that it has
    ended (and give back what they typed), never to read the child."""
    samples = _audit_model("AuditSample").objects
    if not _signed_in(user) or not audits_case(user):
        return samples.none()
    return samples.filter(Q(lead_auditor=user) | Q(auditors__auditor=user)).distinct()


def audit_samples_visible_to(user: Any, *, on: date | None = None) -> QuerySet:
    """The sampled children whose audit `user` works on, in rounds running on `on` (today by
    default): as lead auditor or as one of the auditors. The only way an auditor reads a
    child they could not otherwise see (the audit form, its evidence and the chronology),
    read only, each opening written to the child's access log."""
    running = _audit_model("AuditRound").objects.filter(_rounds_running(on))
    return audit_samples_on_team(user).filter(round__in=running)


def can_edit_audit(user: User, sample: Record) -> bool:
    """The audit team drafts and completes the form while the round runs."""
    return not sample.is_locked and audit_samples_visible_to(user).filter(pk=sample.pk).exists()


def can_moderate_audit(user: User, sample: Record) -> bool:
    """The lead auditor moderates a completed audit while the round runs."""
    return (
        sample.status == "completed"
        and sample.lead_auditor_id == user.pk
        and audit_samples_visible_to(user).filter(pk=sample.pk).exists()
    )


# Which children and records a user may see ----------------------------------------------
# The case models are named by their label, as a foreign key names a model, so this ground
# layer imports none of the apps standing on it. Access follows the person's current agency
# and role: moving agency or role ends their allocations (cases.allocations).


def _case_model(name: str) -> Any:
    return apps.get_model("cases", name)


def _visible_children(user: Any, on: date | None) -> Q:
    """Children's social care sees every child; others see children their agency has an
    involvement with, open on `on` (today by default), and children allocated to them."""
    if not _signed_in(user):
        return Q(pk__in=[])
    if sees_every_child(user):
        return Q()
    involvements = _case_model("Involvement").objects.open_on(on or today())
    involved = involvements.filter(child=OuterRef("pk"), agency_id=user.agency_id)
    return Q(allocated_worker=user) | Q(Exists(involved))


def ids_visible_to(user: Any, model: type[Model], field: str) -> Q:
    """A filter keeping the rows whose `field` holds the id of a `model` record (about a
    child) the user may see: the rule of `_visible_children`, asked of each of a short list
    of ids (the stored records behind a figure) through the involvements' visibility index,
    rather than of every child."""
    if sees_every_child(user):
        return Q()
    if not _signed_in(user):
        return Q(pk__in=[])
    involvements = _case_model("Involvement").objects.open_on(today())
    path: str = getattr(model, "child_lookup")  # noqa: B009 - every such model has one
    child = field if path == "pk" else path
    # Probed per id through the visibility index; the few allocated to them, looked up once.
    allocated = _case_model("Child").objects.filter(allocated_worker=user).values("pk")
    visible = Q(
        Exists(involvements.filter(agency_id=user.agency_id, child_id=OuterRef(child)))
    ) | Q(**{f"{child}__in": allocated})
    if path == "pk":
        return visible
    return Q(Exists(model._default_manager.filter(visible, pk=OuterRef(field))))


@dataclass(frozen=True)
class CountedVisibility:
    """The rule of `_visible_children` in the parts that counts stored per agency answer
    (dataset/results.py): every child, or the children of the agency's open involvements,
    and besides them the children allocated to the user with none of their agency's."""

    every: bool
    agency_id: int | None
    besides: QuerySet  # of child ids


def counted_visibility(user: Any) -> CountedVisibility:
    children = _case_model("Child").objects
    if not _signed_in(user):
        return CountedVisibility(False, None, children.none().values_list("pk", flat=True))
    if sees_every_child(user):
        return CountedVisibility(True, None, children.none().values_list("pk", flat=True))
    involved = (
        _case_model("Involvement")
        .objects.open_on(today())
        .filter(child=OuterRef("pk"), agency_id=user.agency_id)
    )
    besides = (
        children.filter(allocated_worker=user)
        .exclude(Exists(involved))
        .values_list("pk", flat=True)
    )
    return CountedVisibility(False, user.agency_id, besides)


def children_visible_to(user: Any, *, on: date | None = None) -> QuerySet:
    return _case_model("Child").objects.filter(_visible_children(user, on))


def records_visible_to(user: Any, records: type[Model] | QuerySet) -> QuerySet:
    """`records` (a model about children, or a queryset of one) limited to those whose child
    the user may see, with the child fetched alongside: the only way a record is looked up or
    listed. Each such model names the way to its child in `child_lookup` ("referral__child")."""
    queryset = records if isinstance(records, QuerySet) else records._default_manager.all()
    path: str = getattr(queryset.model, "child_lookup")  # noqa: B009 - every such model has one
    if path == "pk":
        return queryset.filter(_visible_children(user, None))
    queryset = queryset.select_related(path)
    if sees_every_child(user):
        return queryset
    visible = _case_model("Child").objects.filter(_visible_children(user, None))
    return queryset.filter(**{f"{path}__in": visible.values("pk")})


def child_of(record: Model) -> Any:
    """The child a record belongs to, by its `child_lookup` (fetched by records_visible_to)."""
    path: str = getattr(type(record), "child_lookup")  # noqa: B009
    if path == "pk":
        return record
    found: Any = record
    for step in path.split("__"):
        found = getattr(found, step)
    return found


def people_who_may_see(child: Any, *, on: date | None = None) -> QuerySet:
    """Active users who may see `child` by the rule of `children_visible_to`: children's
    social care's staff, those of agencies with an involvement open on `on` (today by
    default), and the child's allocated worker."""
    involved = (
        _case_model("Involvement").objects.open_on(on or today()).filter(child=child)
    ).values("agency_id")
    agency = apps.get_model("neglect_portal", "Agency")
    return apps.get_model("neglect_portal", "User").objects.filter(
        Q(agency__kind=agency.Kind.CHILDRENS_SOCIAL_CARE)
        | Q(agency_id__in=involved)
        | Q(pk=child.allocated_worker_id),
        is_active=True,
    )


def possible_duplicates_visible_to(user: Any) -> QuerySet:
    """Flags whose children the user may both see (for children's social care, every flag,
    including merged pairs, whose merged-away side is empty)."""
    flags = _case_model("PossibleDuplicate").objects.all()
    if sees_every_child(user):
        return flags
    visible = children_visible_to(user).values("pk")
    return flags.filter(child_a__in=visible, child_b__in=visible)


def sees_any_child(user: Any) -> bool:
    """Those who may see no child at all get counts only: no list, no export. Children's
    social care may see every child by rule, even before any is recorded."""
    if sees_every_child(user):
        return True
    if not _signed_in(user):
        return False
    # The rule of _visible_children asked from the other side, in one query: an involvement of
    # the user's agency open today, or a child allocated to them. Two index lookups, where
    # asking for the first visible child walks every child when there is none.
    involved = _case_model("Involvement").objects.open_on(today()).filter(agency_id=user.agency_id)
    allocated = _case_model("Child").objects.filter(allocated_worker=user)
    return (
        apps.get_model("neglect_portal", "User")
        .objects.filter(pk=user.pk)
        .filter(Q(Exists(involved)) | Q(Exists(allocated)))
        .exists()
    )
