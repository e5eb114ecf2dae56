"""toolkit 0007 moves each next step from the analysis's JSON list into a NextStep row."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ChildFactory, UserFactory

BEFORE = [("toolkit", "0004_text_limits")]
AFTER = [("toolkit", "0007_next_step_rows")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_every_listed_next_step_becomes_a_row_and_no_text_is_lost():
    author = UserFactory()
    child = ChildFactory()
    old = _migrate(BEFORE)
    try:
        analysis = old.get_model("toolkit", "NextSteps").objects.create(
            child_id=child.pk,
            author_id=author.pk,
            author_agency_id=author.agency_id,
            next_steps=[
                {"action": "Book GP check", "owner": "Health visitor", "due": "2027-02-01"},
                {"action": "", "owner": "", "due": None},  # a blank row: nothing to keep
                {"what": "Visit", "owner": "J Smith", "role": "Nursery", "due": "after Easter"},
                {"action": "Dental check", "owner": "Mother", "note": "Needs a letter"},
            ],
        )
        new = _migrate(AFTER)
        steps = list(
            new.get_model("toolkit", "NextStep")
            .objects.filter(analysis_id=analysis.pk)
            .order_by("position")
            .values_list("position", "what", "owner_id", "owner_name", "owner_role", "due_on")
        )
        assert steps == [
            (1, "Book GP check", None, "Health visitor", "", date(2027, 2, 1)),
            (3, "Visit\ndue: after Easter", None, "J Smith", "Nursery", None),
            (4, "Dental check\nnote: Needs a letter", None, "Mother", "", None),
        ]
        history = new.get_model("toolkit", "HistoricalNextStep").objects.all()
        assert history.count() == 3 and {row.history_type for row in history} == {"+"}
        # Back again, the list is rebuilt from the rows.
        old = _migrate(BEFORE)
        listed = old.get_model("toolkit", "NextSteps").objects.get(pk=analysis.pk).next_steps
        assert listed[0] == {
            "action": "Book GP check",
            "owner": "Health visitor",
            "due": "2027-02-01",
        }
        assert listed[1]["owner"] == "J Smith (Nursery)"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
