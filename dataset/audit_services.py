"""Writes of the multi-agency case audit: a round and its sample, the audit team, each child's
audit and its moderation, and the learning that becomes agreed actions in agencies' plans."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from actionplans.models import Action, ActionPlan
from actionplans.selectors import current_plan_of
from cases.models import Child
from neglect_portal import access
from neglect_portal.models import Agency, User
from neglect_portal.records.history import attributed
from neglect_portal.records.versions import StaleEdit

from . import audit_sampling
from .audit_models import (
    DEFAULT_CRITERIA,
    AuditAgreedAction,
    AuditAuditor,
    AuditCriterion,
    AuditJudgement,
    AuditLearningPoint,
    AuditRound,
    AuditSample,
    AuditTheme,
    Grade,
)

SEED_LIMIT = 2**31 - 1  # fits the seed column on every database


def _locked(model: type, pk: int, version: int | None = None):
    current = model._default_manager.select_for_update().get(pk=pk)
    if version is not None and current.version != version:
        raise StaleEdit(current)
    return current


def _locked_sample(sample: AuditSample, version: int) -> AuditSample:
    """The sample, its round's row locked first: closing the round takes that lock, so a
    change checked against a running round cannot land after the close."""
    _locked(AuditRound, sample.round_id)
    return _locked(AuditSample, sample.pk, version)


def _bump(record, *, user: User, reason: str | None = None) -> None:
    record.version += 1
    attributed(record, user=user, reason=reason).save()


# The round ---------------------------------------------------------------------------------


@transaction.atomic
def audit_round_add(*, round: AuditRound, user: User) -> AuditRound:
    """A new round, planning, with the default criteria."""
    round.created_by = user
    round.status = AuditRound.Status.PLANNING
    round.full_clean(exclude=["created_by"])
    attributed(round, user=user).save()
    for order, (code, title, question) in enumerate(DEFAULT_CRITERIA):
        attributed(
            AuditCriterion(round=round, code=code, title=title, question=question, order=order),
            user=user,
        ).save()
    return round


def _planning(round: AuditRound, version: int | None) -> AuditRound:
    current = _locked(AuditRound, round.pk, version)
    if current.status != AuditRound.Status.PLANNING:
        raise ValidationError("The round has started, so its sample can no longer change")
    return current


def _replace_sample(
    round: AuditRound, chosen: list[audit_sampling.Eligible], *, user: User
) -> list[AuditSample]:
    round.samples.all().delete()
    samples = []
    for number, one in enumerate(chosen, start=1):
        sample = attributed(
            AuditSample(round=round, child_id=one.child_id, number=number, plan=one.plan),
            user=user,
        )
        sample.save()
        sample.agencies.set(one.agency_ids)
        samples.append(sample)
    return samples


@transaction.atomic
def audit_sample_draw(
    *, round: AuditRound, user: User, version: int, seed: int | None = None
) -> list[AuditSample]:
    """Draw (or draw again) the round's sample at random with `seed` (a new one if None),
    recording the seed so the same draw can be repeated and checked."""
    current = _planning(round, version)
    if current.method == AuditRound.Method.BY_HAND:
        raise ValidationError("This round's children are picked by hand")
    if seed is None:
        seed = secrets.randbelow(SEED_LIMIT)
    if not 0 <= seed <= SEED_LIMIT:
        raise ValidationError({"seed": f"Seed must be a whole number from 0 to {SEED_LIMIT}"})
    eligible = audit_sampling.eligible_children(current.sample_date)
    if not eligible:
        raise ValidationError("No child was on a neglect plan on the sample date")
    chosen = audit_sampling.draw(
        eligible,
        size=current.sample_size,
        seed=seed,
        stratified=current.method == AuditRound.Method.STRATIFIED,
    )
    current.seed = seed
    _bump(current, user=user, reason=f"Sample drawn with seed {seed}")
    return _replace_sample(current, chosen, user=user)


@transaction.atomic
def audit_sample_pick(
    *, round: AuditRound, user: User, version: int, children: Iterable[Child]
) -> list[AuditSample]:
    """The round's sample picked by hand, from children on a neglect plan on the sample date
    whom the picker may see."""
    current = _planning(round, version)
    if current.method != AuditRound.Method.BY_HAND:
        raise ValidationError("This round's children are drawn at random")
    wanted = {child.pk for child in children}
    visible = set(
        access.children_visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    eligible = {
        one.child_id: one
        for one in audit_sampling.eligible_children(current.sample_date)
        if one.child_id in visible
    }
    missing = wanted - set(eligible)
    if missing or not wanted:
        raise ValidationError(
            {"children": "Select children who were on a neglect plan on the sample date"}
        )
    current.seed = None
    current.sample_size = len(wanted)
    _bump(current, user=user, reason="Sample picked by hand")
    return _replace_sample(current, [eligible[pk] for pk in sorted(wanted)], user=user)


@transaction.atomic
def audit_criterion_add(
    *, round: AuditRound, user: User, version: int, title: str, question: str = ""
) -> AuditCriterion:
    """Add a criterion of the round's own, graded after the others, while it is planned."""
    current = _planning(round, version)
    title = title.strip()
    code = slugify(title)[: AuditCriterion._meta.get_field("code").max_length].strip("-")
    if not code:
        raise ValidationError({"title": "Enter a title with letters or numbers in it"})
    if current.criteria.filter(Q(code=code) | Q(title__iexact=title)).exists():
        raise ValidationError({"title": "This round already has a criterion with that title"})
    last = current.criteria.order_by("-order").values_list("order", flat=True).first()
    criterion = AuditCriterion(
        round=current,
        code=code,
        title=title,
        question=question.strip(),
        order=0 if last is None else last + 1,
    )
    criterion.full_clean()
    attributed(criterion, user=user).save()
    _bump(current, user=user, reason=f"Criterion added: {title}")
    return criterion


@transaction.atomic
def audit_criterion_remove(*, criterion: AuditCriterion, user: User, version: int) -> None:
    """Take a criterion out of the round while it is planned; one must remain."""
    current = _planning(criterion.round, version)
    if current.criteria.count() <= 1:
        raise ValidationError("A round needs at least one criterion")
    attributed(criterion, user=user).delete()
    _bump(current, user=user, reason=f"Criterion removed: {criterion.title}")


@transaction.atomic
def audit_team_set(
    *, sample: AuditSample, user: User, version: int, lead: User, auditors: Iterable[User]
) -> AuditSample:
    """Name the child's lead auditor (children's social care) and the other agencies'
    auditors; allowed until the round closes, so someone who leaves can be replaced."""
    current = _locked_sample(sample, version)
    if current.round.is_closed:
        raise ValidationError("The round is closed")
    if not access.leads_audits(lead):
        raise ValidationError(
            {"lead_auditor": "The lead auditor must work in children's social care"}
        )
    others = {person.pk: person for person in auditors if person.pk != lead.pk}
    involved = set(current.agencies.values_list("pk", flat=True))
    for person in others.values():
        if not access.audits_case(person):
            raise ValidationError(
                {"auditors": f"{person} cannot audit cases: choose practitioners or managers"}
            )
        if person.agency_id not in involved:
            raise ValidationError(
                {"auditors": f"{person} is not from an agency involved with this child"}
            )
    current.lead_auditor = lead
    _bump(current, user=user)
    current.auditors.exclude(auditor_id__in=others).delete()
    have = set(current.auditors.values_list("auditor_id", flat=True))
    for pk, person in others.items():
        if pk not in have:
            attributed(AuditAuditor(sample=current, auditor=person), user=user).save()
    return current


@transaction.atomic
def audit_round_start(*, round: AuditRound, user: User, version: int) -> AuditRound:
    """Open the round: its auditors may read their children's records from its start date."""
    current = _planning(round, version)
    samples = list(current.samples.all())
    if not samples:
        raise ValidationError("Draw or pick the sample before starting the round")
    if any(sample.lead_auditor_id is None for sample in samples):
        raise ValidationError("Name a lead auditor for every child before starting the round")
    current.status = AuditRound.Status.IN_PROGRESS
    _bump(current, user=user, reason="Round started")
    return current


@transaction.atomic
def audit_round_close(*, round: AuditRound, user: User, version: int) -> AuditRound:
    """Close the round: its auditors' reading of the children's records ends now."""
    current = _locked(AuditRound, round.pk, version)
    if current.status != AuditRound.Status.IN_PROGRESS:
        raise ValidationError("Only a round in progress can be closed")
    current.status = AuditRound.Status.CLOSED
    current.closed_at = timezone.now()
    _bump(current, user=user, reason="Round closed")
    return current


# One child's audit -------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    grade: str
    evidence: str
    better: str


def _judgements(sample: AuditSample) -> dict[int, AuditJudgement]:
    have = {j.criterion_id: j for j in sample.judgements.all()}
    for criterion in sample.round.criteria.all():
        if criterion.pk not in have:
            have[criterion.pk] = AuditJudgement(sample=sample, criterion=criterion)
    return have


@transaction.atomic
def audit_save(
    *,
    sample: AuditSample,
    user: User,
    version: int,
    answers: Mapping[int, Answer],
    complete: bool,
) -> AuditSample:
    """Save the audit team's answers (criterion id → answer) as a draft, or complete it: a
    completed audit needs a grade and evidence for every criterion and is then locked."""
    current = _locked_sample(sample, version)
    if not access.can_edit_audit(user, current):
        raise ValidationError("This audit can no longer be changed")
    judgements = _judgements(current)
    errors = {}
    for criterion_id, judgement in judgements.items():
        answer = answers.get(criterion_id)
        if answer is not None:
            judgement.grade = answer.grade
            judgement.evidence = answer.evidence.strip()
            judgement.better = answer.better.strip()
        if complete and not judgement.grade:
            errors[f"grade_{criterion_id}"] = f"Select a grade for {judgement.criterion}"
        if complete and not judgement.evidence:
            errors[f"evidence_{criterion_id}"] = f"Enter the evidence for {judgement.criterion}"
    if errors:
        raise ValidationError(errors)
    for judgement in judgements.values():
        attributed(judgement, user=user).save()
    if complete:
        current.status = AuditSample.Status.COMPLETED
        current.completed_by = user
        current.completed_at = timezone.now()
    else:
        current.status = AuditSample.Status.DRAFT
    _bump(current, user=user, reason="Completed" if complete else None)
    return current


@dataclass(frozen=True)
class Moderation:
    grade: str
    reason: str


@transaction.atomic
def audit_moderate(
    *,
    sample: AuditSample,
    user: User,
    version: int,
    changes: Mapping[int, Moderation],
) -> AuditSample:
    """The lead auditor agrees the completed audit, changing any grade with a reason (the
    team's grade is kept beside it, and both in history). Unchanged grades are agreed."""
    current = _locked_sample(sample, version)
    if not access.can_moderate_audit(user, current):
        raise ValidationError("Only the lead auditor moderates a completed audit")
    judgements = _judgements(current)
    errors = {}
    for criterion_id, change in changes.items():
        judgement = judgements.get(criterion_id)
        if judgement is None:
            continue
        if change.grade in ("", judgement.grade):
            if change.reason.strip():
                # Only a changed grade keeps a reason: say so rather than drop what was typed.
                errors[f"reason_{criterion_id}"] = (
                    f"You gave a reason for {judgement.criterion} but kept its grade: change "
                    "the grade, or leave the reason blank"
                )
            continue
        if change.grade not in Grade.values:
            errors[f"grade_{criterion_id}"] = "Select a grade"
        elif not change.reason.strip():
            errors[f"reason_{criterion_id}"] = (
                f"Enter why the grade for {judgement.criterion} is changed"
            )
        else:
            judgement.audited_grade = judgement.audited_grade or judgement.grade
            judgement.grade = change.grade
            judgement.moderation_reason = change.reason.strip()
            attributed(judgement, user=user, reason=f"Moderated: {judgement.moderation_reason}")
            judgement.save()
    if errors:
        raise ValidationError(errors)
    current.status = AuditSample.Status.MODERATED
    current.moderated_by = user
    current.moderated_at = timezone.now()
    _bump(current, user=user, reason="Moderated")
    return current


# Findings into action ----------------------------------------------------------------------


@transaction.atomic
def learning_add(
    *, round: AuditRound, user: User, text: str, sample: AuditSample | None = None
) -> AuditLearningPoint:
    point = AuditLearningPoint(round=round, sample=sample, text=text.strip(), written_by=user)
    point.full_clean(exclude=["written_by"])
    attributed(point, user=user).save()
    return point


@transaction.atomic
def theme_add(*, round: AuditRound, user: User, title: str) -> AuditTheme:
    title = title.strip()
    # The round's row is the lock: two people adding the same title at once get "already has"
    # rather than the database's refusal.
    _locked(AuditRound, round.pk)
    if AuditTheme.objects.filter(round=round, title__iexact=title).exists():
        raise ValidationError({"title": "This round already has a theme with that title"})
    theme = AuditTheme(round=round, title=title)
    theme.full_clean()
    attributed(theme, user=user).save()
    return theme


@transaction.atomic
def learning_group(
    *, point: AuditLearningPoint, user: User, theme: AuditTheme | None
) -> AuditLearningPoint:
    current = _locked(AuditLearningPoint, point.pk)
    if theme is not None and theme.round_id != current.round_id:
        raise ValidationError({"theme": "Choose a theme from this round"})
    current.theme = theme
    attributed(current, user=user).save()
    return current


@dataclass(frozen=True)
class NewAgreedAction:
    agency: Agency
    objective: str
    description: str
    owner_name: str
    due_date: date


@transaction.atomic
def agreed_action_add(*, theme: AuditTheme, user: User, new: NewAgreedAction) -> AuditAgreedAction:
    """Add the agreed action to the agency's active plan, linked to the theme it answers."""
    plan = current_plan_of(new.agency)
    if plan is None or plan.status != ActionPlan.Status.ACTIVE:
        raise ValidationError({"agency": f"{new.agency} has no active plan to add the action to"})
    action = Action(
        plan=plan,
        objective=new.objective,
        description=new.description.strip(),
        owner_name=new.owner_name.strip(),
        due_date=new.due_date,
    )
    action.full_clean()
    attributed(action, user=user, reason=f"Agreed at audit: {theme.round}").save()
    link = AuditAgreedAction(theme=theme, action=action, agreed_by=user)
    attributed(link, user=user).save()
    return link
