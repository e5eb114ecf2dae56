"""Audit rounds for the audit tests: children on neglect plans, a round, its sample and team."""

from datetime import date, timedelta

from dataset import audit_services
from dataset.audit_models import AuditRound
from neglect_portal.dates import today
from tests.dataset.builders import cin_plan, cp_plan
from tests.factories import ChildFactory, InvolvementFactory


def children_on_neglect_plans(count: int, *, on: date, agencies=(), cin_every: int = 3) -> list:
    """`count` children on a neglect plan on `on` (every `cin_every`th on a CIN plan, the rest
    on CP plans), each with an open involvement of every one of `agencies`."""
    children = []
    start = on - timedelta(days=60)
    for n in range(count):
        child = ChildFactory()
        if cin_every and n % cin_every == 0:
            cin_plan(child, start)
        else:
            cp_plan(child, start)
        for agency in agencies:
            InvolvementFactory(child=child, agency=agency, start_date=start)
        children.append(child)
    return children


def audit_round(user, *, size: int = 10, method=AuditRound.Method.RANDOM, **dates) -> AuditRound:
    day = today()
    return audit_services.audit_round_add(
        round=AuditRound(
            title=dates.pop("title", "Neglect audit"),
            starts_on=dates.pop("starts_on", day - timedelta(days=7)),
            ends_on=dates.pop("ends_on", day + timedelta(days=30)),
            sample_date=dates.pop("sample_date", day - timedelta(days=14)),
            sample_size=size,
            method=method,
        ),
        user=user,
    )


def running_round(user, *, lead, auditors=(), seed: int = 7, **kwargs) -> AuditRound:
    """A round drawn with `seed`, every child led by `lead` with `auditors`, and started."""
    round = audit_round(user, **kwargs)
    audit_services.audit_sample_draw(round=round, user=user, version=round.version, seed=seed)
    for sample in round.samples.all():
        audit_services.audit_team_set(
            sample=sample, user=user, version=sample.version, lead=lead, auditors=auditors
        )
    round.refresh_from_db()
    audit_services.audit_round_start(round=round, user=user, version=round.version)
    round.refresh_from_db()
    return round
