"""The issue-11 "done when" checks, against production settings under gunicorn.

Builds a throwaway SQLite database, starts gunicorn with DEBUG=False (a short idle timeout so
the wait is seconds), and then, as a browser would: six wrong passwords and the right one; a
correct password, which must lead to the second step; setting up an authenticator; the
headers of a signed-in page; an idle session ending; and `check --deploy`. Prints one line per
check and exits non-zero if any fails.

    .venv/bin/python bench/security_probe.py
"""

import http.client
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from base64 import b32decode
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from django_otp.oath import totp  # noqa: E402

PORT = 8765
IDLE_SECONDS = 5
PASSWORD = secrets.token_urlsafe(16)
ENVIRONMENT = {
    **os.environ,
    "DEBUG": "False",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1",
    # TLS ends at a proxy in production; the probe says it did, as the proxy would.
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "SESSION_IDLE_SECONDS": str(IDLE_SECONDS),
}


class Browser:
    """Just enough of one: cookies (Secure and __Host- ones too) and the CSRF token."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.csrf_token})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://127.0.0.1{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        page = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, _ = value.partition(";")
                key, _, val = cookie.partition("=")
                if val and val != '""':
                    self.cookies[key] = val
                else:
                    self.cookies.pop(key, None)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token:
            self.csrf_token = token.group(1)
        return response, page

    def sign_in(self, username: str, password: str):
        self.request("GET", "/sign-in/")
        return self.request("POST", "/sign-in/", {"username": username, "password": password})


def manage(*args: str) -> str:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=ENVIRONMENT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def main() -> int:
    folder = tempfile.mkdtemp()
    ENVIRONMENT["DATABASE_URL"] = f"sqlite:///{folder}/probe.sqlite3"
    manage("migrate", "--no-input")
    manage("collectstatic", "--no-input")
    manage(
        "shell",
        "--no-imports",
        "-c",
        "from neglect_portal.models import Agency, User\n"
        "a = Agency.objects.create(name='Health', kind='health')\n"
        "for name in ('target', 'worker'):\n"
        f"    User.objects.create_user(name, password='{PASSWORD}', agency=a)\n",
    )
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "neglect_portal.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=ENVIRONMENT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results = []

    def check(what: str, passed: bool) -> None:
        results.append(passed)
        print(f"{'PASS' if passed else 'FAIL'}  {what}")

    try:
        for _ in range(50):
            try:
                Browser().request("GET", "/health/")
                break
            except OSError:
                time.sleep(0.2)

        attacker = Browser()
        for _ in range(6):
            response, page = attacker.sign_in("target", "wrong-password")
        response, page = attacker.sign_in("target", PASSWORD)
        check(
            "after six wrong passwords the right one is refused, saying when to try again",
            response.status == 200 and "Wait 15 minutes, then try again" in page,
        )

        person = Browser()
        response, _ = person.sign_in("worker", PASSWORD)
        location = response.getheader("Location", "")
        check(
            f"a correct password leads to the second step ({location})",
            response.status == 302 and location.startswith("/account/two-factor/set-up/"),
        )
        response, _ = person.request("GET", "/")
        check("the home page waits for the second step", response.status == 302)

        response, page = person.request("GET", "/account/two-factor/set-up/")
        key = re.search(r"data-key>([A-Z2-7 ]+)<", page).group(1).replace(" ", "")
        person.request(
            "POST", "/account/two-factor/set-up/", {"code": f"{totp(b32decode(key)):06d}"}
        )
        response, page = person.request("GET", "/")
        policy = response.getheader("Content-Security-Policy", "")
        script_src = re.search(r"script-src ([^;]*)", policy).group(1)
        check(f"signed in after the second step ({response.status})", response.status == 200)
        check(
            f"CSP without unsafe-inline for scripts (script-src {script_src})",
            "unsafe-inline" not in script_src and "'self'" in script_src,
        )
        cache = response.getheader("Cache-Control", "")
        check(f"signed-in page not stored ({cache})", "no-store" in cache)
        names = sorted(person.cookies)
        check(
            f"host-only cookies ({', '.join(names)})", all(n.startswith("__Host-") for n in names)
        )
        anonymous_policy = (
            Browser().request("GET", "/sign-in/")[0].getheader("Content-Security-Policy", "")
        )
        check("the sign-in page has the CSP too", "script-src 'self'" in anonymous_policy)

        time.sleep(IDLE_SECONDS + 1)
        response, _ = person.request("GET", "/")
        check(
            f"an idle session expires ({response.status} to {response.getheader('Location')})",
            response.status == 302 and response.getheader("Location", "").startswith("/sign-in/"),
        )
    finally:
        server.terminate()
        server.wait()

    deploy = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=ENVIRONMENT,
        capture_output=True,
        text=True,
        check=False,
    )
    check("check --deploy --fail-level WARNING is clean", deploy.returncode == 0)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
