"""An auditor from an agency no longer involved reads the sampled child's whole chronology,
read only, while the round runs, and the access log says why; afterwards it is closed."""

from datetime import timedelta

import pytest
from django.urls import reverse

from cases.models import AccessLog
from dataset import audit_services
from neglect_portal.dates import today
from tests.dataset.audit_builders import audit_round, children_on_neglect_plans
from tests.dataset.builders import chronology_entry
from tests.factories import InvolvementFactory

pytestmark = pytest.mark.django_db

SAMPLE_DATE = today() - timedelta(days=14)


@pytest.fixture
def running(administrator, csc_social_worker, health_visitor, health):
    (child,) = children_on_neglect_plans(1, on=SAMPLE_DATE, agencies=[])
    InvolvementFactory(
        child=child,
        agency=health,
        start_date=SAMPLE_DATE - timedelta(days=30),
        end_date=SAMPLE_DATE + timedelta(days=7),
    )
    chronology_entry(child, csc_social_worker, SAMPLE_DATE)
    round = audit_round(administrator, size=1)
    audit_services.audit_sample_draw(round=round, user=administrator, version=round.version, seed=1)
    sample = round.samples.get()
    audit_services.audit_team_set(
        sample=sample,
        user=administrator,
        version=sample.version,
        lead=csc_social_worker,
        auditors=[health_visitor],
    )
    round.refresh_from_db()
    audit_services.audit_round_start(round=round, user=administrator, version=round.version)
    round.refresh_from_db()
    return round, round.samples.get()


def _url(sample):
    return reverse("dataset:audit_chronology", args=[sample.round_id, sample.pk])


def test_the_auditor_reads_the_chronology_only_while_the_round_runs(
    client, running, administrator, health_visitor
):
    round, sample = running
    client.force_login(health_visitor)
    # Her agency's involvement has ended: the record's own pages are closed to her.
    assert client.get(reverse("toolkit:chronology", args=[sample.child_id])).status_code == 404

    page = client.get(_url(sample)).content.decode()
    assert "Missed health visit" in page
    assert f"Read for the audit {round.title}" in page
    assert reverse("toolkit:chronology_add", args=[sample.child_id]) not in page
    assert reverse("dataset:audit_form", args=[round.pk, sample.pk]) in page
    log = AccessLog.objects.get(child=sample.child, user=health_visitor)
    assert log.reason == f"Read for the audit {round.title}"
    form = client.get(reverse("dataset:audit_form", args=[round.pk, sample.pk])).content.decode()
    assert f'href="{_url(sample)}"' in form

    audit_services.audit_round_close(round=round, user=administrator, version=round.version)
    assert client.get(_url(sample)).status_code == 404
