"""Browser tests drive Debian's Chromium through Playwright; Playwright never downloads one.

Locally they skip with a message when Chromium is absent; in CI (CI=true) that is a failure.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from neglect_portal.demo import load_demo_people

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() == "true"
# Chromium's background services would try to reach the internet, which is closed here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(config, items):
    problem = None
    if not CHROMIUM.exists():
        problem = f"Chromium not found at {CHROMIUM}; install it with `apt-get install -y chromium`"
    elif os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") != "true":
        problem = "browser tests run through `make test` (it sets DJANGO_ALLOW_ASYNC_UNSAFE)"
    if problem is None:
        return
    if IN_CI:
        pytest.exit(f"Browser tests cannot run in CI: {problem}", returncode=1)
    skip = pytest.mark.skip(reason=f"Browser tests skipped: {problem}")
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every test signs someone in; the production hasher's deliberate slowness buys nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture
def demo_users(transactional_db):
    return load_demo_people()


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Fail with a readable list when axe-core finds any WCAG 2.2 A or AA violation."""

    def check(page):
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
        violations = results.response["violations"]
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"])
            for v in violations
        )
        assert violations == [], f"{page.url}\n{report}"

    return check


@pytest.fixture
def sign_in(page, live_server):
    def _sign_in(username, password):
        page.goto(f"{live_server.url}/sign-in/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()

    return _sign_in


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations(request):
    """Every browser test fails if the page broke its Content-Security-Policy: Chromium reports
    each refused script, style or frame on the console."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield
    assert refused == [], "\n".join(refused)
