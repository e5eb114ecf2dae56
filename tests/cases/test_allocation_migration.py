"""The data migration that gives every child allocated before allocations were dated its one
open allocation (cases/migrations/0012_allocations.py)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from neglect_portal import dates

BEFORE = [("cases", "0011_child_upn"), ("neglect_portal", "0006_teams")]
AFTER = [("cases", "0012_allocations")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_allocated_child_gets_one_open_first_allocation_dated_the_migrations_day():
    old = migrate(BEFORE)
    Agency = old.get_model("neglect_portal", "Agency")
    Team = old.get_model("neglect_portal", "Team")
    User = old.get_model("neglect_portal", "User")
    Child = old.get_model("cases", "Child")
    csc = Agency.objects.create(name="Children's Social Care", kind="csc")
    team = Team.objects.create(agency=csc, name="Family Support and Protection North")
    worker = User.objects.create(username="worker", agency=csc, team=team)
    allocated = Child.objects.create(
        la_child_id="DfEX0000001", date_of_birth="2016-01-01", allocated_worker=worker
    )
    Child.objects.create(la_child_id="DfEX0000002", date_of_birth="2016-01-01")
    try:
        new = migrate(AFTER)
        rows = list(
            new.get_model("cases", "Allocation").objects.values_list(
                "child_id", "worker_id", "team_id", "started_on", "ended_on", "reason"
            )
        )
        assert rows == [(allocated.pk, worker.pk, team.pk, dates.today(), None, "first")]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
