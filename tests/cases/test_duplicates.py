"""Possible duplicate children: found when children arrive, decided by children's social care,
and merged with every record and its history."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from cases.census_import import import_census
from cases.duplicates import (
    _reverse_relations,
    duplicate_merge,
    duplicates_flag,
    name_key,
)
from cases.models import (
    AccessLog,
    Child,
    ChildListAccess,
    ChildMerge,
    PossibleDuplicate,
    Referral,
)
from cases.services import child_opened
from neglect_portal import dates
from neglect_portal.models import User
from tests.factories import (
    AgencyFactory,
    AllocationFactory,
    AssessmentFactory,
    ChildFactory,
    CINPlanFactory,
    CPPlanFactory,
    CPReviewFactory,
    InvolvementFactory,
    ReferralFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CENSUS = Path(__file__).parent / "census_files"
BORN = date(2015, 2, 28)
TODAY = dates.today()


def date_fields(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def alfie(**fields):
    return ChildFactory(
        **{"given_name": "Alfie", "family_name": "Ward", "date_of_birth": BORN, **fields}
    )


def pairs():
    return set(PossibleDuplicate.objects.values_list("child_a", "child_b"))


def flag_of(a, b):
    low, high = sorted((a.pk, b.pk))
    return PossibleDuplicate.objects.get(child_a=low, child_b=high)


@pytest.fixture
def pair(db):
    first, second = alfie(), alfie()
    duplicates_flag(child_ids=[second.pk])
    return flag_of(first, second)


# Finding -----------------------------------------------------------------------------------


def test_names_are_compared_trimmed_and_without_case_or_accents():
    assert name_key("  Zoë ", "O'BRIEN  ") == name_key("zoe", "o'brien") == ("zoe", "obrien")
    assert name_key("Zoë", "") is None


@pytest.mark.parametrize(
    ("typed", "also_typed"),
    [
        (("Amy", "Smith-Jones"), ("Amy", "Smith Jones")),
        (("Amy", "Smith-Jones"), ("Amy", "Smith\u2013Jones")),  # an en dash
        (("Siobhan", "O'Brien"), ("Siobhan", "O\u2019Brien")),  # a curly apostrophe
        (("Łukasz", "Nowak"), ("Lukasz", "Nowak")),
        (("Søren", "Berg"), ("Soren", "Berg")),
        (("Amy", "Smith\u200b"), ("Amy", "Smith")),  # a zero-width space pasted in
    ],
)
def test_names_typed_differently_by_different_hands_compare_equal(typed, also_typed):
    assert name_key(*typed) == name_key(*also_typed)


def test_different_names_still_differ():
    assert name_key("Amy", "Smith") != name_key("Smith", "Amy")
    assert name_key("Ann", "Lee") != name_key("Anne", "Lee")


def test_a_partner_referral_of_a_child_already_known_is_flagged(client, health_visitor):
    known = alfie(la_child_id="DfEX0000007")
    client.force_login(health_visitor)

    response = client.post(
        reverse("cases:refer_new_child"),
        {
            "given_name": " ALFIE",
            "family_name": "Ward ",
            "sex": "M",
            **date_fields("date_of_birth", BORN),
            **date_fields("referral_date", TODAY),
            "source": "3B",
            "presenting_factors": ["neglect"],
        },
    )

    assert "Referral sent" in response.content.decode()
    referred = Referral.objects.get(recorded_by=health_visitor).child
    flag = flag_of(known, referred)
    assert (flag.status, flag.reason) == ("open", "name_and_birth")
    assert flag.history.get().history_change_reason == "Possible duplicate found"


def test_a_child_added_by_social_care_is_flagged(client, csc_social_worker):
    known = alfie()
    client.force_login(csc_social_worker)

    client.post(
        reverse("cases:child_add"),
        {
            "la_child_id": "DfEX7654321",
            "given_name": "Alfíe",
            "family_name": "WARD",
            "sex": "M",
            **date_fields("date_of_birth", BORN),
            "version": 1,
        },
    )

    assert pairs() == {(known.pk, Child.objects.get(la_child_id="DfEX7654321").pk)}


def test_a_child_whose_date_of_birth_is_corrected_to_match_is_flagged(client, csc_social_worker):
    known = alfie()
    other = alfie(date_of_birth=BORN + timedelta(days=1))
    client.force_login(csc_social_worker)
    assert pairs() == set()

    client.post(
        reverse("cases:child_edit", args=[other.pk]),
        {
            "la_child_id": other.la_child_id,
            "given_name": "Alfie",
            "family_name": "Ward",
            "sex": "F",
            **date_fields("date_of_birth", BORN),
            "version": other.version,
        },
    )

    assert pairs() == {(known.pk, other.pk)}


def test_children_imported_from_the_census_are_flagged():
    # The census carries no names: a child the portal has named gets the file's date of birth.
    named = ChildFactory(
        la_child_id="DfEX0000001",
        given_name="Ava",
        family_name="Jones",
        date_of_birth=date(2015, 3, 20),
    )
    referred = ChildFactory(
        la_child_id="NP00AA11",
        given_name="ava",
        family_name="JONES",
        date_of_birth=date(2015, 3, 27),
    )
    assert pairs() == set()

    result = import_census(CENSUS / "valid.xml")

    assert result.ok, result.problems
    assert pairs() == {(named.pk, referred.pk)}
    import_census(CENSUS / "valid.xml")
    assert PossibleDuplicate.objects.count() == 1


def test_a_different_date_of_birth_or_name_is_not_flagged():
    first = alfie()
    alfie(date_of_birth=BORN + timedelta(days=1))
    alfie(given_name="Alfred")
    ChildFactory(given_name="", family_name="", date_of_birth=BORN)
    ChildFactory(given_name="", family_name="", date_of_birth=BORN)

    assert duplicates_flag(child_ids=Child.objects.values_list("pk", flat=True)) == []
    assert not PossibleDuplicate.objects.filter(child_a=first).exists()


def test_flagging_again_keeps_one_flag_per_pair_in_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    children = [alfie() for _ in range(3)] + [ChildFactory() for _ in range(30)]
    # Savepoint, the candidates by name and by UPN, the flags known, two inserts (flags,
    # history), release.
    with django_assert_max_num_queries(7):
        found = duplicates_flag(child_ids=[c.pk for c in children])
    assert len(found) == 3
    with django_assert_max_num_queries(5):
        assert duplicates_flag(child_ids=[c.pk for c in children]) == []
    assert PossibleDuplicate.objects.count() == 3


def test_a_pair_found_not_the_same_is_kept_and_never_flagged_again(client, csc_team_manager, pair):
    client.force_login(csc_team_manager)

    response = client.post(
        reverse("cases:duplicate_not_the_same", args=[pair.pk]), {"version": pair.version}
    )

    assert response["Location"] == reverse("cases:duplicate_detail", args=[pair.pk])
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == ("not_the_same", csc_team_manager)
    assert pair.decided_at is not None
    assert pair.history.first().history_change_reason == "Not the same child"
    assert duplicates_flag(child_ids=[pair.child_a_id, pair.child_b_id]) == []
    assert PossibleDuplicate.objects.get() == pair
    html = client.get(reverse("cases:duplicate_list")).content.decode()
    assert "0 pairs to decide" in html


# Merging -----------------------------------------------------------------------------------


def _sampled_for_audit(child, author):
    from dataset.audit_models import AuditSample
    from neglect_portal.records.history import attributed
    from tests.dataset.audit_builders import audit_round

    round = audit_round(UserFactory(role=User.Role.ADMINISTRATOR, agency=author.agency))
    attributed(AuditSample(round=round, child=child, number=1, plan="cp"), user=author).save()


def _every_record_about(child, author, agency):
    """At least one row of every model pointing at a child, history included."""
    from toolkit.models import ChronologyEntry, SDQNeed
    from toolkit.services import chronology_entry_add
    from toolkit.tool_kinds import TOOL_KINDS

    referral = ReferralFactory(child=child, referral_date=TODAY - timedelta(days=400))
    _sampled_for_audit(child, author)
    AllocationFactory(
        child=child,
        worker=author,
        started_on=referral.referral_date,
        ended_on=referral.referral_date + timedelta(days=10),
    )
    AssessmentFactory(referral=referral)
    CINPlanFactory(referral=referral, end_date=referral.referral_date + timedelta(days=30))
    review = CPReviewFactory(
        plan=CPPlanFactory(
            referral=referral,
            start_date=referral.referral_date + timedelta(days=40),
            end_date=referral.referral_date + timedelta(days=100),
        )
    )
    InvolvementFactory(child=child, agency=agency)
    child_opened(child=child, user=author)
    for kind in TOOL_KINDS.values():
        tool = kind.model.objects.create(
            child=child, author=author, author_agency=agency, **kind.start_fields(child)
        )
    SDQNeed.objects.create(child=child, reason="Withdrawn at school", recorded_by=author)
    # Management oversight of the last tool, and the tools that informed the review.
    from toolkit.models import Oversight, ToolInformed

    Oversight.objects.create(
        child=child,
        tool_kind="next-steps",
        tool_id=tool.pk,
        tool_version=tool.version,
        completed_on=TODAY,
        judgement="agree",
        reason="Sound",
        manager=author,
        manager_agency=agency,
    )
    ToolInformed.objects.create(
        child=child, tool_kind="next-steps", tool_id=tool.pk, completed_on=TODAY, cp_review=review
    )
    chronology_entry_add(
        child=child,
        entry=ChronologyEntry(
            author=author,
            source_agency=agency,
            event_date=referral.referral_date,
            what_happened="Home visit",
            impact="neutral",
            impact_description="None seen",
        ),
    )


def _rows(relation, child):
    return relation.related_model._base_manager.filter(**{relation.field.name: child.pk})


def test_a_merge_moves_every_record_and_its_history_to_the_survivor(
    client, csc_team_manager, csc_social_worker, health
):
    survivor = alfie(la_child_id="DfEX0000001", ethnicity="")
    merged = alfie(la_child_id="NP12AB34CD", ethnicity="WIRI", allocated_worker=csc_social_worker)
    _every_record_about(merged, csc_social_worker, health)
    # Both have a chronology: the merged child's entries join the survivor's.
    from toolkit.models import Chronology, ChronologyEntry

    Chronology.objects.create(child=survivor)
    flag = duplicates_flag(child_ids=[merged.pk])[0]
    merged_pk = merged.pk
    client.force_login(csc_team_manager)

    response = client.post(
        reverse("cases:duplicate_merge", args=[flag.pk]),
        {"survivor": survivor.pk, "version": flag.version},
    )

    assert response["Location"] == reverse("cases:child_detail", args=[survivor.pk])
    assert not Child.objects.filter(pk=merged_pk).exists()
    relations = _reverse_relations(Child)
    assert {r.related_model.__name__ for r in relations} >= {
        "Referral",
        "HistoricalReferral",
        "ChildInNeedPlan",
        "ChildProtectionPlan",
        "Involvement",
        "AccessLog",
        "Chronology",
        "SDQ",
        "HistoricalSDQ",
    }
    for relation in relations:
        assert not _rows(relation, merged).exists(), relation.related_model.__name__
        assert _rows(relation, survivor).exists(), relation.related_model.__name__
    assert ChronologyEntry.objects.get().chronology.child == survivor
    assert ChronologyEntry.history.get().chronology_id == survivor.chronology.pk
    assert AccessLog.objects.get(user=csc_social_worker).child == survivor
    survivor.refresh_from_db()
    # The survivor keeps its own details and takes what it lacked.
    assert (survivor.la_child_id, survivor.ethnicity) == ("DfEX0000001", "WIRI")
    assert survivor.allocated_worker == csc_social_worker
    kept = survivor.history.first()
    assert (kept.history_change_reason, kept.history_user) == (
        "Merged with child NP12AB34CD",
        csc_team_manager,
    )
    gone = Child.history.filter(id=merged_pk).first()
    assert (gone.history_type, gone.history_change_reason, gone.history_user) == (
        "-",
        "Merged into child DfEX0000001",
        csc_team_manager,
    )
    flag.refresh_from_db()
    assert (flag.status, flag.merged_away, flag.decided_by) == (
        "merged",
        "NP12AB34CD",
        csc_team_manager,
    )
    assert flag.history.filter(child_b=merged_pk, status="merged").exists()


def test_merging_twice_gets_a_clear_answer(client, csc_team_manager, pair):
    client.force_login(csc_team_manager)
    url = reverse("cases:duplicate_merge", args=[pair.pk])
    sent = {"survivor": pair.child_a_id, "version": pair.version}

    client.post(url, sent)
    response = client.post(url, sent, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "These children were already merged, by" in html
    assert Child.objects.count() == 1


def test_a_decision_on_a_pair_changed_since_the_page_was_opened_is_refused(
    client, csc_team_manager, pair
):
    third = ChildFactory()
    merged_into_third = PossibleDuplicate.objects.create(
        child_a=pair.child_b, child_b=third, reason="name_and_birth"
    )
    duplicate_merge(
        flag_id=merged_into_third.pk,
        survivor_id=third.pk,
        expected_version=merged_into_third.version,
        user=csc_team_manager,
    )
    client.force_login(csc_team_manager)

    # The other flag of the child merged away now names the survivor instead.
    response = client.post(
        reverse("cases:duplicate_merge", args=[pair.pk]),
        {"survivor": pair.child_a_id, "version": pair.version},
        follow=True,
    )

    assert "changed after you opened this page" in response.content.decode()
    pair.refresh_from_db()
    assert (pair.child_a_id, pair.child_b_id, pair.status) == (pair.child_a_id, third.pk, "open")


def test_a_merge_that_would_give_a_child_two_referrals_on_one_day_is_refused(
    client, csc_team_manager, pair
):
    for child in (pair.child_a, pair.child_b):
        ReferralFactory(child=child, referral_date=date(2024, 5, 1))
    client.force_login(csc_team_manager)

    response = client.post(
        reverse("cases:duplicate_merge", args=[pair.pk]),
        {"survivor": pair.child_a_id, "version": pair.version},
        follow=True,
    )

    assert "Both children have referrals with the same referral date" in response.content.decode()
    assert Child.objects.count() == 2 and Referral.objects.count() == 2
    pair.refresh_from_db()
    assert pair.is_open


def test_a_merge_that_would_overlap_child_protection_plans_is_refused(csc_team_manager, pair):
    CPPlanFactory(referral__child=pair.child_a, referral__referral_date=date(2024, 1, 1))
    CPPlanFactory(referral__child=pair.child_b, referral__referral_date=date(2024, 2, 1))

    from cases.duplicates import DecisionRefused

    with pytest.raises(DecisionRefused, match="child protection plans in the same dates"):
        duplicate_merge(
            flag_id=pair.pk,
            survivor_id=pair.child_a_id,
            expected_version=pair.version,
            user=csc_team_manager,
        )
    assert Referral.objects.filter(child=pair.child_b).exists()


def test_merging_without_choosing_a_child_asks_for_one(client, csc_team_manager, pair):
    client.force_login(csc_team_manager)

    response = client.post(
        reverse("cases:duplicate_merge", args=[pair.pk]), {"version": pair.version}
    )

    assert "Select the child whose record you keep" in response.content.decode()
    assert Child.objects.count() == 2


def test_a_merged_childs_other_flags_move_to_the_survivor(csc_team_manager):
    first, second, third = alfie(), alfie(), alfie()
    duplicates_flag(child_ids=[first.pk, second.pk, third.pk])
    not_same = flag_of(second, third)
    not_same.status, not_same.decided_by = "not_the_same", csc_team_manager
    not_same.save()
    flag = flag_of(first, second)

    duplicate_merge(
        flag_id=flag.pk, survivor_id=first.pk, expected_version=flag.version, user=csc_team_manager
    )

    # Second is not third, and first is second: so first is not third either.
    assert flag_of(first, third).status == "not_the_same"
    assert PossibleDuplicate.objects.count() == 2


# Pages and who may use them ----------------------------------------------------------------


@pytest.mark.parametrize("persona_name", ["health_visitor", "health_lead", "working_group_member"])
def test_other_agencies_may_not_see_possible_duplicates(client, request, persona_name, pair):
    client.force_login(request.getfixturevalue(persona_name))

    assert client.get(reverse("cases:duplicate_list")).status_code == 403
    for name in ("duplicate_detail", "duplicate_not_the_same", "duplicate_merge"):
        assert client.get(reverse(f"cases:{name}", args=[pair.pk])).status_code == 404
        assert client.post(reverse(f"cases:{name}", args=[pair.pk])).status_code == 404
    pair.refresh_from_db()
    assert pair.is_open


def test_a_social_worker_sees_the_pair_but_a_manager_decides(client, csc_social_worker, pair):
    client.force_login(csc_social_worker)

    html = client.get(reverse("cases:duplicate_detail", args=[pair.pk])).content.decode()

    assert "Alfie Ward" in html and pair.child_a.la_child_id in html
    assert "Merge the children" not in html
    merge = reverse("cases:duplicate_merge", args=[pair.pk])
    assert client.post(merge, {"survivor": pair.child_a_id, "version": 1}).status_code == 403
    assert AccessLog.objects.filter(user=csc_social_worker).count() == 2


def test_the_list_shows_both_children_and_the_reason_in_a_fixed_number_of_queries(
    client, csc_team_manager, django_assert_max_num_queries
):
    for _ in range(8):
        first = ChildFactory()
        ChildFactory(
            given_name=first.given_name,
            family_name=first.family_name,
            date_of_birth=first.date_of_birth,
        )
    duplicates_flag(child_ids=Child.objects.values_list("pk", flat=True))
    client.force_login(csc_team_manager)
    client.get(reverse("home"))

    with django_assert_max_num_queries(8):
        response = client.get(reverse("cases:duplicate_list"))

    html = response.content.decode()
    assert "8 pairs to decide" in html and "Same name and date of birth" in html
    flag = PossibleDuplicate.objects.select_related("child_a", "child_b").first()
    for child in (flag.child_a, flag.child_b):
        assert child.la_child_id in html and child.full_name in html
    assert "Possible duplicates" in client.get(reverse("home")).content.decode()
    logged = ChildListAccess.objects.get()
    assert (logged.kind, logged.children) == ("possible_duplicates", 16)


def test_the_pair_page_shows_both_children_side_by_side_in_a_fixed_number_of_queries(
    client, csc_team_manager, pair, django_assert_max_num_queries
):
    for child in (pair.child_a, pair.child_b):
        ReferralFactory(child=child)
        InvolvementFactory(child=child, agency=AgencyFactory())
    client.force_login(csc_team_manager)
    client.get(reverse("home"))

    with django_assert_max_num_queries(10):
        response = client.get(reverse("cases:duplicate_detail", args=[pair.pk]))

    html = response.content.decode()
    assert html.count("28 February 2015") == 2
    assert "History of this pair" in html and "Created by System" in html
    for child in (pair.child_a, pair.child_b):
        assert f"Keep Alfie Ward, LA child ID {child.la_child_id}" in html


def test_the_demo_has_a_possible_duplicate(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("generate_demo_data", children=5, possible_duplicate=True, verbosity=0)

    flag = PossibleDuplicate.objects.select_related("child_a", "child_b").get()
    assert flag.child_b.la_child_id.startswith("NP")
    assert flag.child_b.given_name == flag.child_a.given_name.upper()
    assert flag.child_b.referrals.get().recorded_by.agency.name == "Community Health Trust"


def test_deciding_on_a_pair_another_merge_removed_gets_a_clear_answer(csc_team_manager, pair):
    from cases.duplicates import DecisionRefused, duplicate_not_the_same

    flag_id, version = pair.pk, pair.version
    pair.delete()

    for decide in (
        lambda: duplicate_merge(
            flag_id=flag_id, survivor_id=1, expected_version=version, user=csc_team_manager
        ),
        lambda: duplicate_not_the_same(
            flag_id=flag_id, expected_version=version, user=csc_team_manager
        ),
    ):
        with pytest.raises(DecisionRefused, match="merged with another child") as refused:
            decide()
        assert refused.value.gone


def test_a_second_not_the_same_gets_a_clear_answer(client, csc_team_manager, pair):
    client.force_login(csc_team_manager)
    url = reverse("cases:duplicate_not_the_same", args=[pair.pk])

    client.post(url, {"version": pair.version})
    html = client.post(url, {"version": pair.version}, follow=True).content.decode()

    assert "already decided these are not the same child" in html
    assert pair.history.count() == 2


# After a merge -------------------------------------------------------------------------------


def test_a_census_file_still_using_a_merged_childs_id_is_refused_and_changes_nothing(
    csc_team_manager,
):
    """Otherwise the merged child comes back, with a second copy of every record."""
    ChildFactory(
        la_child_id="DfEX0000001",
        given_name="Ava",
        family_name="Jones",
        date_of_birth=date(2015, 3, 20),
    )
    kept = ChildFactory(
        la_child_id="NP00AA11",
        given_name="ava",
        family_name="JONES",
        date_of_birth=date(2015, 3, 27),
    )
    assert import_census(CENSUS / "valid.xml").ok
    flag = PossibleDuplicate.objects.get()
    duplicate_merge(
        flag_id=flag.pk, survivor_id=kept.pk, expected_version=flag.version, user=csc_team_manager
    )
    children, referrals = Child.objects.count(), Referral.objects.count()

    again = import_census(CENSUS / "valid.xml")
    assert [(p.child, p.element) for p in again.problems] == [("DfEX0000001", "LAchildID")]
    assert "merged into the child with LAchildID NP00AA11" in again.problems[0].message
    assert (Child.objects.count(), Referral.objects.count()) == (children, referrals)


def test_a_merge_is_recorded_with_the_access_log_entries_it_moved(csc_team_manager, pair):
    flag = pair
    a, b = flag.child_a, flag.child_b
    child_opened(child=b, user=csc_team_manager)
    opened = AccessLog.objects.get(child=b).pk
    duplicate_merge(
        flag_id=flag.pk, survivor_id=a.pk, expected_version=flag.version, user=csc_team_manager
    )
    merge = ChildMerge.objects.get()
    assert (merge.merged_la_child_id, merge.survivor, merge.merged_by) == (
        b.la_child_id,
        a,
        csc_team_manager,
    )
    assert merge.access_log_moved == [opened]


def test_a_known_sex_is_kept_over_not_known(csc_team_manager):
    unknown = alfie(sex="U")
    known = alfie(sex="M")
    flag = duplicates_flag(child_ids=[known.pk])[0]
    duplicate_merge(
        flag_id=flag.pk,
        survivor_id=unknown.pk,
        expected_version=flag.version,
        user=csc_team_manager,
    )
    unknown.refresh_from_db()
    assert unknown.sex == "M"
