"""The issue-11 race and double-submission findings.

- On SQLite the losing side of two saves at once got a 500 "database is locked", where
  PostgreSQL refused it cleanly: now both give the stale-edit page (409).
- A form sent twice (a double click, a resend) created two chronology entries, two
  involvements or two children from one partner referral: every create form now carries a
  one-time token (neglect_portal/records/once.py), so the repeat creates nothing and lands on
  what the first one created.

The thread tests run on whichever database the suite runs on (SQLite by default, PostgreSQL
with DATABASE_URL), each thread on its own connection.
"""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Child, Involvement, Referral
from neglect_portal import dates
from neglect_portal.models import SubmissionToken, User
from neglect_portal.records.once import ALREADY_SAVED, FIELD
from tests.actionplans.factories import ActionPlanFactory
from tests.factories import (
    ChildFactory,
    CPPlanFactory,
    InvolvementFactory,
    ReferralFactory,
    UserFactory,
)
from toolkit.models import AssessmentChecklist, ChronologyEntry

pytestmark = pytest.mark.django_db  # the thread tests ask for real transactions

TODAY = dates.today()
A_MONTH_AGO = TODAY - timedelta(days=30)
STALE = "Someone else saved this record after you opened it"


def date_fields(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def token_in(response):
    found = re.search(rf'name="{FIELD}" value="([^"]+)"', response.content.decode())
    assert found, "the form carries no one-time token"
    return found.group(1)


def notice(response):
    """The message this response adds (those of earlier redirects not followed wait too)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def at_once(*posts):
    """Run each post in its own thread, released together, each on its own database
    connection; what each returned, or the exception it raised."""
    start = threading.Barrier(len(posts))
    results = [None] * len(posts)

    def run(i, post):
        try:
            start.wait()
            results[i] = post()
        except Exception as error:  # noqa: BLE001 - the test reports what went wrong
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def slow_saves(monkeypatch):
    """Hold each save of `model` inside its transaction for a moment, so that two saves
    sent at once really overlap."""

    def slow(model):
        save = model.save

        def held(self, *args, **kwargs):
            time.sleep(0.3)
            return save(self, *args, **kwargs)

        monkeypatch.setattr(model, "save", held)

    return slow


def child_form(child, **changes):
    return {
        "la_child_id": child.la_child_id,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "sex": child.sex,
        **date_fields("date_of_birth", child.date_of_birth),
        **changes,
    }


def chronology_form(**changes):
    return {
        **date_fields("event_date", A_MONTH_AGO),
        "what_happened": "Not brought to clinic",
        "impact": "negative",
        "impact_description": "Vaccinations delayed",
        **changes,
    }


def referral_form(**changes):
    return {
        "given_name": "Nia",
        "family_name": "Referred",
        "sex": "F",
        **date_fields("date_of_birth", TODAY - timedelta(days=5 * 365)),
        **date_fields("referral_date", TODAY),
        "source": "3B",
        "presenting_factors": ["neglect"],
        **changes,
    }


@pytest.fixture
def child(health):
    child = CPPlanFactory(latest_category="NEG").referral.child
    InvolvementFactory(child=child, agency=health)
    return child


# Two saves at once -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_one_record_at_once_save_one_and_refuse_the_other_cleanly(
    csc_social_worker, csc_team_manager, slow_saves
):
    child = ChildFactory()
    url = reverse("cases:child_edit", args=[child.pk])
    clients = signed_in(csc_social_worker), signed_in(csc_team_manager)
    slow_saves(Child)

    responses = at_once(
        *(
            lambda client=client, name=name: client.post(
                url, child_form(child, given_name=name, version=1)
            )
            for client, name in zip(clients, ["Ayla", "Bea"], strict=True)
        )
    )

    assert sorted((getattr(r, "status_code", r) for r in responses), key=str) == [302, 409]
    refused = next(r for r in responses if r.status_code == 409)
    assert STALE in refused.content.decode()
    saved = Child.objects.get(pk=child.pk)
    assert saved.version == 2
    assert saved.given_name in refused.content.decode()  # what the other person saved


@pytest.mark.django_db(transaction=True)
def test_one_create_form_sent_twice_at_once_makes_one_entry(health_visitor, child, slow_saves):
    # One person's two posts, each on its own connection (as two server workers would be).
    clients = signed_in(health_visitor), signed_in(health_visitor)
    url = reverse("toolkit:chronology_add", args=[child.pk])
    token = token_in(clients[0].get(url))
    slow_saves(ChronologyEntry)

    responses = at_once(
        *(
            lambda client=client: client.post(url, chronology_form(**{FIELD: token}))
            for client in clients
        )
    )

    chronology = reverse("toolkit:chronology", args=[child.pk])
    assert [getattr(r, "status_code", r) for r in responses] == [302, 302], responses
    assert {r["Location"] for r in responses} == {chronology}
    assert ChronologyEntry.objects.count() == 1
    assert sorted(notice(r) for r in responses) == sorted(
        [ALREADY_SAVED, "Entry added to the chronology"]
    )


# The same form sent twice ----------------------------------------------------------------


def test_a_chronology_entry_sent_twice_is_added_once_and_lands_on_the_chronology(
    client, health_visitor, child
):
    client.force_login(health_visitor)
    url = reverse("toolkit:chronology_add", args=[child.pk])
    data = chronology_form(**{FIELD: token_in(client.get(url))})

    first, second = client.post(url, data), client.post(url, data)

    chronology = reverse("toolkit:chronology", args=[child.pk])
    assert first["Location"] == second["Location"] == chronology
    assert ChronologyEntry.objects.count() == 1
    assert notice(second) == ALREADY_SAVED


def test_an_involvement_sent_twice_is_added_once(client, csc_social_worker, health):
    child = ChildFactory()
    client.force_login(csc_social_worker)
    url = reverse("cases:involvement_add", args=[child.pk])
    data = {
        "agency": health.pk,
        **date_fields("start_date", A_MONTH_AGO),
        FIELD: token_in(client.get(url)),
    }

    first, second = client.post(url, data), client.post(url, data)

    assert first["Location"] == second["Location"] == reverse("cases:child_detail", args=[child.pk])
    assert Involvement.objects.filter(child=child).count() == 1
    assert notice(second) == ALREADY_SAVED


def test_a_partner_referral_sent_twice_makes_one_child(client, health_visitor):
    client.force_login(health_visitor)
    url = reverse("cases:refer_new_child")
    data = referral_form(**{FIELD: token_in(client.get(url))})

    first, second = client.post(url, data), client.post(url, data)

    assert Child.objects.count() == 1 and Referral.objects.count() == 1
    for response in first, second:
        assert "Referral sent" in response.content.decode()
    assert ALREADY_SAVED in second.content.decode()
    assert ALREADY_SAVED not in first.content.decode()


def test_a_referral_sent_twice_by_social_care_links_to_the_one_child(client, csc_social_worker):
    client.force_login(csc_social_worker)
    url = reverse("cases:refer_new_child")
    data = referral_form(**{FIELD: token_in(client.get(url))})

    client.post(url, data)
    again = client.post(url, data).content.decode()

    child = Child.objects.get()
    assert reverse("cases:child_detail", args=[child.pk]) in again


def test_a_child_sent_twice_is_added_once(client, csc_social_worker):
    """The repeat would be invalid (the child id now exists): it still lands on the child."""
    client.force_login(csc_social_worker)
    url = reverse("cases:child_add")
    data = {**child_form(ChildFactory.build()), FIELD: token_in(client.get(url))}

    first, second = client.post(url, data), client.post(url, data)

    child = Child.objects.get()
    assert first["Location"] == second["Location"] == reverse("cases:child_detail", args=[child.pk])
    assert notice(second) == ALREADY_SAVED


def test_a_tool_started_twice_is_started_once(client, health_visitor, child):
    client.force_login(health_visitor)
    page = client.get(reverse("cases:child_detail", args=[child.pk]))
    url = reverse("toolkit:tool_start", args=[child.pk, "checklist"])
    data = {FIELD: token_in(page)}

    first, second = client.post(url, data), client.post(url, data)

    tool = AssessmentChecklist.objects.get()
    assert (
        first["Location"]
        == second["Location"]
        == reverse("toolkit:tool", args=["checklist", tool.pk])
    )
    assert notice(second) == "This tool was already started"


def test_each_start_button_has_its_own_token(client, health_visitor, child):
    client.force_login(health_visitor)
    html = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    tokens = re.findall(rf'name="{FIELD}" value="([^"]+)"', html)
    assert len(tokens) > 1 and len(set(tokens)) == len(tokens)


def test_another_users_token_does_not_lead_to_their_record(client, csc_social_worker, csc):
    client.force_login(csc_social_worker)
    url = reverse("cases:child_add")
    token = token_in(client.get(url))
    theirs = client.post(url, {**child_form(ChildFactory.build()), FIELD: token})

    colleague = UserFactory(agency=csc, role=User.Role.PRACTITIONER)
    client.force_login(colleague)
    mine = client.post(url, {**child_form(ChildFactory.build()), FIELD: token})

    assert Child.objects.count() == 2
    own_child = Child.objects.exclude(pk=Child.objects.order_by("pk").first().pk).get()
    assert mine["Location"] == reverse("cases:child_detail", args=[own_child.pk])
    assert mine["Location"] != theirs["Location"]
    assert notice(mine) == "Child added"


def test_a_refused_form_keeps_its_token_and_then_saves(client, health_visitor, child):
    client.force_login(health_visitor)
    url = reverse("toolkit:chronology_add", args=[child.pk])
    token = token_in(client.get(url))

    refused = client.post(url, chronology_form(what_happened="", **{FIELD: token}))
    assert refused.status_code == 200 and "Enter what happened" in refused.content.decode()
    assert token_in(refused) == token  # nothing was created, so the form may be sent again
    saved = client.post(url, chronology_form(**{FIELD: token}))

    assert saved["Location"] == reverse("toolkit:chronology", args=[child.pk])
    assert ChronologyEntry.objects.count() == 1
    assert notice(saved) == "Entry added to the chronology"


def test_a_form_sent_without_a_token_is_saved_as_before(client, health_visitor, child):
    client.force_login(health_visitor)
    url = reverse("toolkit:chronology_add", args=[child.pk])
    client.post(url, chronology_form())
    client.post(url, chronology_form(**{FIELD: "<not-a-token>"}))
    assert ChronologyEntry.objects.count() == 2
    assert not SubmissionToken.objects.exists()


def test_tokens_older_than_a_day_are_removed_as_their_user_saves(
    client, health_visitor, health_lead, child
):
    def token(user, letter, age):
        made = SubmissionToken.objects.create(user=user, token=letter * 43, url="/")
        SubmissionToken.objects.filter(pk=made.pk).update(created_at=timezone.now() - age)
        return made.token

    old = token(health_visitor, "o", timedelta(days=2))
    recent = token(health_visitor, "r", timedelta(hours=20))
    someone_elses = token(health_lead, "s", timedelta(days=2))
    client.force_login(health_visitor)
    url = reverse("toolkit:chronology_add", args=[child.pk])
    new = token_in(client.get(url))

    client.post(url, chronology_form(**{FIELD: new}))

    kept = set(SubmissionToken.objects.values_list("token", flat=True))
    assert kept == {recent, someone_elses, new}
    assert old not in kept


@pytest.fixture
def create_pages(child, health_lead):
    referral = ReferralFactory(child=child)
    plan = CPPlanFactory(referral=referral)
    action_plan = ActionPlanFactory(agency=health_lead.agency)
    return {
        "cases:child_add": (),
        "cases:refer_new_child": (),
        "cases:referral_add": (child.pk,),
        "cases:involvement_add": (child.pk,),
        "cases:assessment_add": (referral.pk,),
        "cases:cin_plan_start": (referral.pk,),
        "cases:cp_plan_start": (referral.pk,),
        "cases:cp_review_add": (plan.pk,),
        "cases:allocation_change": (child.pk,),  # each change adds an allocation
        "toolkit:chronology_add": (child.pk,),
        "actionplans:plan_add": (),
        "actionplans:action_add": (action_plan.pk,),
    }


def test_every_create_form_carries_a_one_time_token(
    client, create_pages, csc_social_worker, health_lead
):
    for name, args in create_pages.items():
        client.force_login(health_lead if name.startswith("actionplans") else csc_social_worker)
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        token_in(response)


def test_change_forms_carry_no_token(client, csc_social_worker):
    client.force_login(csc_social_worker)
    html = client.get(reverse("cases:child_edit", args=[ChildFactory().pk])).content.decode()
    assert FIELD not in html
