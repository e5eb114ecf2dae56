"""Named personas, so every view is tested against the same people.

Children's social care (CSC) staff may see every child; the health visitor's agency sees only
children it is involved with; the outsider's agency works with none of the test children.
"""

import pytest
from django.conf import settings as django_settings

from neglect_portal.models import Agency, User
from tests.factories import PASSWORD, AgencyFactory, UserFactory


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    # SQLite's in-memory test database is shared between threads through a shared cache,
    # whose table locks fail at once instead of waiting: two saves at once in two threads
    # (tests/neglect_portal/test_security_submissions.py) need a file, as in production.
    # Not waiting for the disk after each commit keeps the suite as fast as in memory.
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["TEST"] = {
            **database.get("TEST", {}),
            "NAME": str(tmp_path_factory.mktemp("db") / "test.sqlite3"),
        }
        database["OPTIONS"] = {**database["OPTIONS"], "init_command": "PRAGMA synchronous=OFF"}


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs `collectstatic` first; tests/neglect_portal/test_static.py
    # proves the real storage works, everything else only needs the files found.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every persona and factory user gets a password; the production hasher is deliberately
    # slow and would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _second_step_only_where_tested(settings):
    # Production asks everyone for a second step; the tests that sign in with force_login are
    # about other things. tests/neglect_portal/test_two_factor.py turns it back on.
    settings.MFA_REQUIRED = False


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings, tmp_path):
    # A queued census import runs inside the request that queued it, so a test sees its
    # result; tests/cases/test_census_runs.py runs the real database backend and its worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CENSUS_UPLOAD_DIR = tmp_path / "census_uploads"


@pytest.fixture(autouse=True)
def _figures_worker_caught_up(request, monkeypatch):
    """As if the background worker had recalculated the stored figures (dataset/live.py)
    before any page reads them: a change asks for a recalculation, and the next read of a
    quarter stores it first. Tests of the worker's own timing are marked `worker_idle`."""
    if "worker_idle" in request.keywords:
        return
    from dataset import live, results

    current: set = set()
    refresh, live_results, shown_result = live.refresh, results.live_results, results.shown_result

    def stored(quarters):
        missing = [quarter for quarter in quarters if quarter not in current]
        if missing:
            current.update(refresh(missing))

    def changed(quarters=None, *, settle=True):
        current.clear()

    def read_live(quarters):
        quarters = list(quarters)
        stored(quarters)
        return live_results(quarters)

    def read_shown(quarter):
        stored([quarter])
        return shown_result(quarter)

    monkeypatch.setattr(live, "request_refresh", changed)
    monkeypatch.setattr(results, "live_results", read_live)
    monkeypatch.setattr(results, "shown_result", read_shown)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def csc(db):
    return AgencyFactory(name="Children's Social Care", kind=Agency.Kind.CHILDRENS_SOCIAL_CARE)


@pytest.fixture
def health(db):
    return AgencyFactory(name="Community Health Trust", kind=Agency.Kind.HEALTH)


@pytest.fixture
def voluntary(db):
    return AgencyFactory(name="Voluntary and Community Sector", kind=Agency.Kind.VOLUNTARY)


@pytest.fixture
def csc_social_worker(csc):
    return UserFactory(username="social-worker", agency=csc, role=User.Role.PRACTITIONER)


@pytest.fixture
def csc_team_manager(csc):
    return UserFactory(username="team-manager", agency=csc, role=User.Role.TEAM_MANAGER)


@pytest.fixture
def health_visitor(health):
    return UserFactory(username="health-visitor", agency=health, role=User.Role.PRACTITIONER)


@pytest.fixture
def health_lead(health):
    return UserFactory(username="health-lead", agency=health, role=User.Role.AGENCY_LEAD)


@pytest.fixture
def working_group_member(voluntary):
    return UserFactory(username="wg-member", agency=voluntary, role=User.Role.WORKING_GROUP)


@pytest.fixture
def administrator(csc):
    return UserFactory(username="administrator", agency=csc, role=User.Role.ADMINISTRATOR)


@pytest.fixture
def outsider(voluntary):
    return UserFactory(username="outsider", agency=voluntary, role=User.Role.PRACTITIONER)


PERSONAS = [
    "csc_social_worker",
    "csc_team_manager",
    "health_visitor",
    "health_lead",
    "working_group_member",
    "administrator",
    "outsider",
]


@pytest.fixture(params=PERSONAS)
def persona(request):
    """Each named persona in turn, as (name, user)."""
    return request.param, request.getfixturevalue(request.param)
