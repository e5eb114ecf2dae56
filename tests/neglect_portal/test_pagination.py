"""OneQueryPaginator: the pages and counts Paginator gives, from one query per page."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from neglect_portal.models import Agency
from neglect_portal.pagination import OneQueryPaginator
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

PER_PAGE = 3


def _agencies():
    return Agency.objects.order_by("name", "pk")


def _as_shown(page):
    return (
        [agency.pk for agency in page],
        page.number,
        page.paginator.count,
        page.paginator.num_pages,
        page.has_next(),
        page.has_previous(),
        page.start_index(),
    )


@pytest.mark.parametrize("number", [1, 2, 3, "3", 4, 99, 0, -2, "x", None, 10**12])
def test_each_page_is_the_one_paginator_gives(number):
    AgencyFactory.create_batch(8 - Agency.objects.count())  # 8 agencies: pages of 3, 3 and 2
    expected = _as_shown(Paginator(_agencies(), PER_PAGE).get_page(number))
    assert _as_shown(OneQueryPaginator(_agencies(), PER_PAGE).get_page(number)) == expected


@pytest.mark.parametrize("number", [1, 2, "x"])
def test_an_empty_list_gives_an_empty_first_page(number):
    Agency.objects.all().delete()
    page = OneQueryPaginator(_agencies(), PER_PAGE).get_page(number)
    assert (list(page), page.number, page.paginator.count) == ([], 1, 0)


def test_a_page_and_its_count_are_one_query():
    AgencyFactory.create_batch(8 - Agency.objects.count())
    with CaptureQueriesContext(connection) as queries:
        page = OneQueryPaginator(_agencies(), PER_PAGE).get_page(2)
        assert (page.paginator.count, page.paginator.num_pages, len(page)) == (8, 3, 3)
    assert len(queries) == 1
    # Past the end, a count finds the last page, read in one more query.
    with CaptureQueriesContext(connection) as queries:
        page = OneQueryPaginator(_agencies(), PER_PAGE).get_page(7)
        assert (page.number, len(page)) == (3, 2)
    assert len(queries) == 3
