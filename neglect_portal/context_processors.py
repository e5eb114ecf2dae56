from django.urls import reverse

from .access import (
    can_use_admin,
    reads_audit_results,
    reads_dataset,
    reads_every_action_plan,
    reads_possible_duplicates,
    works_with_children,
)
from .second_step import pending_step
from .sessions import seconds_left

TIMEOUT_WARNING_SECONDS = 2 * 60


def _signed_in(request) -> bool:
    """Signed in with every step taken."""
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and pending_step(request) is None)


def session_timeout(request):
    """What the timeout warning needs: how long the session has (the idle limit, or less near
    the limit from signing in), and how long before the end to warn."""
    if not _signed_in(request):
        return {}
    return {
        "session_timeout": {
            "seconds_left": seconds_left(request),
            "warning_seconds": TIMEOUT_WARNING_SECONDS,
        }
    }


def navigation(request):
    """Service navigation: only the areas the signed-in user may use, and only built ones."""
    if not _signed_in(request):
        return {"service_navigation": []}
    user = request.user
    items = [("Home", reverse("home")), ("Children", reverse("cases:child_list"))]
    if works_with_children(user):
        items.append(("My tasks", reverse("toolkit:my_tasks")))
        items.append(("My children", reverse("toolkit:my_children")))
    if reads_possible_duplicates(user):
        items.append(("Possible duplicates", reverse("cases:duplicate_list")))
    if reads_every_action_plan(user):
        items.append(("Action plans", reverse("actionplans:plan_list")))
    if reads_dataset(user):
        items.append(("Dataset", reverse("dataset:dashboard_latest")))
    if reads_audit_results(user):
        items.append(("Audits", reverse("dataset:audit_rounds")))
    if can_use_admin(user):
        items.append(("Administration", reverse("admin:index")))
    items.append(("Your account", reverse("password_change")))
    path = request.path
    # The longest match is current: the audits live under the dataset's path.
    within = [url for _, url in items if url == path or (url != "/" and path.startswith(url))]
    current = max(within, key=len, default=None)
    return {
        "service_navigation": [
            {"label": label, "url": url, "current": url == current} for label, url in items
        ]
    }
