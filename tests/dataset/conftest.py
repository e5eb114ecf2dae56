"""Records shared by the dataset's page tests."""

from datetime import date

import pytest

from tests.dataset.builders import cp_plan
from tests.factories import ChildFactory, InvolvementFactory


@pytest.fixture
def plans(health):
    """Eight children on CP plans at 30 June 2024, five for neglect: 62.5%.

    At 31 March 2024 the plan starting in May was not open: 4 of 7, 57.1%. Two of the
    neglect children are known to the health trust.
    """
    neglect = [ChildFactory(given_name=f"Neglect{i}", family_name="Child") for i in range(5)]
    physical = [ChildFactory(given_name=f"Physical{i}", family_name="Child") for i in range(3)]
    for child in neglect[:4]:
        cp_plan(child, date(2024, 1, 10))
    cp_plan(neglect[4], date(2024, 5, 1))
    for child in physical:
        cp_plan(child, date(2024, 1, 10), initial="PHY")
    for child in neglect[:2]:
        InvolvementFactory(child=child, agency=health, start_date=date(2024, 1, 1))
    return neglect, physical
