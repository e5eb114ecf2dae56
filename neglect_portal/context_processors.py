from django.urls import reverse

from .access import can_use_admin, reads_dataset, reads_every_action_plan, works_with_children


def navigation(request):
    """Service navigation: only the areas the signed-in user may use, and only built ones."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"service_navigation": []}
    items = [("Home", reverse("home")), ("Children", reverse("cases:child_list"))]
    if works_with_children(user):
        items.append(("My children", reverse("toolkit:my_children")))
    if reads_every_action_plan(user):
        items.append(("Action plans", reverse("actionplans:plan_list")))
    if reads_dataset(user):
        items.append(("Dataset", reverse("dataset:dashboard_latest")))
    if can_use_admin(user):
        items.append(("Administration", reverse("admin:index")))
    items.append(("Your account", reverse("password_change")))
    path = request.path
    return {
        "service_navigation": [
            {
                "label": label,
                "url": url,
                "current": url == path or (url != "/" and path.startswith(url)),
            }
            for label, url in items
        ]
    }
