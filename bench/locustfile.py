"""A load test: 20 people of several roles using the portal at once, under gunicorn.

Each simulated person signs in through the real sign-in page (GET for the CSRF token, POST of
the demo username and password) and then, with 1 to 3 seconds between pages, mixes:
- case workers (the demo practitioners and team managers of children's social care and the
  health trust): the children list and its later pages, a child's page, their chronology,
  My tasks and My children;
- the partnership (the agency lead, the Working Group, the chair, the administrator): the
  dataset dashboard, an indicator page, the meeting pack, the challenges list, an audit
  round's results and the Impact Framework.
Locust prints its statistics as it runs and, at the end, per page: requests, failures,
median, average, the percentiles (50%, 95% among them) and requests per second. This file
adds the machine's load average at the start, every 10 s, and at the end. Locust sees only
HTTP: the queries each page makes are what bench/feature_pages.py prints for the same pages.

The server runs as production does (DEBUG off, gunicorn, collected static files) on the demo
that `make run` loads (see bench/feature_pages.py for the steps, e.g. into bench_features):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_features
    export DEBUG=False ALLOWED_HOSTS=127.0.0.1 \\
        SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \\
        SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto MFA_REQUIRED=False
    .venv/bin/python manage.py collectstatic --no-input
    .venv/bin/gunicorn neglect_portal.wsgi --workers 3 --bind 127.0.0.1:8001 &
    .venv/bin/locust -f bench/locustfile.py --headless -u 20 -r 5 -t 2m \\
        --host http://127.0.0.1:8001

(`locust` is the `bench` extra: `.venv/bin/pip install -e '.[bench]'`.)

Two settings of that server, both in its environment only, differ from production:
- MFA_REQUIRED=False. In production (DEBUG off) everyone takes a second step after their
  password (an authenticator code, or setting one up: neglect_portal/second_step.py); the
  demo sign-ins have no authenticator, so with MFA_REQUIRED off they go straight in, as they
  do under `make run`. Nothing is changed in the code or the production default; a sign-in
  sent to the second step is reported as a failure saying so.
- SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto. TLS ends at a proxy in production; each request
  here says it did (X-Forwarded-Proto: https), as that proxy would, so HTTPS redirects, Secure
  __Host- cookies and the CSRF Referer check work as they do there. The load client sends
  those Secure cookies back over its plain connection to 127.0.0.1 (a cookie policy of its
  own process).
"""

import itertools
import os
import random
import re
from http import cookiejar

import gevent
from locust import HttpUser, between, events, task

PASSWORD = "neglect-demo-2026"  # noqa: S105 - the demo sign-ins' published password
CHILD_LINK = re.compile(r'href="/children/(\d+)/"')
ROUND_LINK = re.compile(r'href="/dataset/audits/(\d+)/"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUARTER = re.compile(r"/dataset/([0-9]{4}-[0-9]{2}-Q[1-4])/")
SECOND_STEP = ("/sign-in/code/", "/account/two-factor/set-up/")


# The connection to the server is plain HTTP on 127.0.0.1, standing for the HTTPS one the proxy
# ends: send the Secure cookies back on it. For this load client's process only (requests builds
# a fresh cookie jar for every request, so a policy set on the session's jar would not hold).
cookiejar.DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True


def _load() -> str:
    return " ".join(f"{each:.2f}" for each in os.getloadavg())


_loads: list[tuple[float, float, float]] = []


def _sample_load() -> None:
    while True:
        _loads.append(os.getloadavg())
        gevent.sleep(10)


@events.test_start.add_listener
def _started(environment, **kwargs) -> None:
    print(f"Load average (1, 5, 15 min) at the start: {_load()}")
    environment.bench_sampler = gevent.spawn(_sample_load)


@events.test_stop.add_listener
def _stopped(environment, **kwargs) -> None:
    sampler = getattr(environment, "bench_sampler", None)
    if sampler is not None:
        sampler.kill()
    if _loads:
        ones = [each[0] for each in _loads]
        print(
            f"Load average (1 min) during the run, every 10 s: min {min(ones):.2f}, "
            f"mean {sum(ones) / len(ones):.2f}, max {max(ones):.2f}"
        )
    print(f"Load average (1, 5, 15 min) at the end: {_load()}")


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    usernames: itertools.cycle

    def on_start(self) -> None:
        # As the TLS-ending proxy would say (see the docstring).
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.origin = self.host.replace("http://", "https://", 1)
        self.username = next(self.usernames)
        self.sign_in()

    def sign_in(self) -> None:
        page = self.client.get("/sign-in/", name="sign in (page)")
        token = TOKEN.search(page.text)
        with self.client.post(
            "/sign-in/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.origin}/sign-in/"},
            allow_redirects=False,
            name="sign in (post)",
            catch_response=True,
        ) as response:
            where = response.headers.get("Location", "")
            if response.status_code != 302:
                response.failure(f"{self.username} not signed in ({response.status_code})")
            elif where.startswith(SECOND_STEP):
                response.failure(
                    f"{self.username} sent to the second step ({where}): start the server "
                    "with MFA_REQUIRED=False"
                )

    def page(self, url: str, name: str):
        return self.client.get(url, name=name)


class CaseWorker(SignedIn):
    """The children they work with, their records and their tasks."""

    weight = 3
    usernames = itertools.cycle(
        ["practitioner", "manager", "health-practitioner", "health-manager"]
    )

    def on_start(self) -> None:
        super().on_start()
        self.children: list[str] = []
        self.child_list()

    @task(3)
    def child_list(self) -> None:
        response = self.page("/children/", "children list")
        found = CHILD_LINK.findall(response.text)
        if found:
            self.children = found

    @task(1)
    def child_list_later_page(self) -> None:
        self.page(f"/children/?page={random.randint(2, 5)}", "children list, later page")  # noqa: S311

    @task(4)
    def child_page(self) -> None:
        if self.children:
            child = random.choice(self.children)  # noqa: S311 - which page, not a secret
            self.page(f"/children/{child}/", "child page")

    @task(2)
    def chronology(self) -> None:
        if self.children:
            child = random.choice(self.children)  # noqa: S311
            self.page(f"/children/{child}/chronology/", "chronology")

    @task(2)
    def my_tasks(self) -> None:
        self.page("/tasks/", "my tasks")

    @task(1)
    def my_children(self) -> None:
        self.page("/my-children/", "my children")


class Partnership(SignedIn):
    """The quarterly dataset and the Working Group's pages."""

    weight = 2
    usernames = itertools.cycle(["lead", "working-group", "chair", "admin"])

    def on_start(self) -> None:
        super().on_start()
        self.quarter = ""
        self.rounds: list[str] = []
        self.dashboard()
        response = self.page("/dataset/audits/", "audit rounds")
        self.rounds = ROUND_LINK.findall(response.text)

    @task(2)
    def dashboard(self) -> None:
        # The latest complete quarter's, by the redirect a person follows from the menu.
        response = self.page("/dataset/", "dashboard")
        found = QUARTER.search(response.url)
        if found:
            self.quarter = found.group(1)

    @task(2)
    def indicator(self) -> None:
        if self.quarter:
            self.page(f"/dataset/{self.quarter}/indicators/CP_NEGLECT_SHARE/", "indicator page")

    @task(1)
    def pack(self) -> None:
        self.page("/dataset/pack/", "meeting pack")

    @task(1)
    def challenges(self) -> None:
        self.page("/action-plans/challenges/", "challenges list")

    @task(1)
    def audit_results(self) -> None:
        if self.rounds:
            pk = random.choice(self.rounds)  # noqa: S311
            self.page(f"/dataset/audits/{pk}/results/", "audit results")

    @task(1)
    def impact(self) -> None:
        self.page("/dataset/impact/", "impact framework")
