"""Reads for the toolkit pages."""

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from cases.models import Child
from cases.selectors import on_neglect_plan, open_involvements

from .status import State, tool_statuses

# Worst first: what needs doing comes to the top of a caseload.
_URGENCY = {State.OVERDUE: 0, State.NEVER: 0, State.DUE_SOON: 1, State.CURRENT: 2}


def caseload(user, *, on: date) -> QuerySet[Child]:
    """Children on a neglect plan that the user is responsible for: a practitioner's allocated
    children and those they lead on for their agency; for a team manager, every child their
    agency is working with."""
    involvements = open_involvements(on).filter(child=OuterRef("pk"))
    if user.is_team_manager:
        ours = Exists(involvements.filter(agency_id=user.agency_id))
    else:
        ours = Exists(involvements.filter(lead_worker=user))
    return Child.objects.filter(Q(allocated_worker=user) | ours).filter(on_neglect_plan(on))


def caseload_with_status(user, *, on: date) -> list[tuple[Child, list]]:
    """(child, tool statuses) for the caseload, children with overdue tools first."""
    children = list(caseload(user, on=on).only("pk", "la_child_id", "given_name",
                                               "family_name"))
    statuses = tool_statuses([child.pk for child in children], on)

    def urgency(child):
        states = [status.state for status in statuses[child.pk]]
        return (min(_URGENCY[state] for state in states),
                -sum(_URGENCY[state] == 0 for state in states),
                child.family_name, child.given_name, child.pk)

    return [(child, statuses[child.pk]) for child in sorted(children, key=urgency)]
