"""Keeping what someone typed when their session ran out before they pressed save.

A long form can take longer than a session lasts. When a signed-out browser posts to a view
marked with `@keeps_answers_through_sign_in`, the middleware keeps the posted answers in the
(new, anonymous) session before LoginRequiredMiddleware sends them to sign in; signing in keeps
that session's data, and the view gets the answers back with `kept_answers()` when the browser
returns to the same page. The answers stay server-side and are removed once handed back, and
they go back only to the person whose session ran out: on a shared computer the next person
to sign in gets nothing of theirs (answers posted by a browser with no session that ran out
here, so no known owner, are not kept at all).

A class-based view opts in with a true `keeps_answers_through_sign_in` class attribute (the
record form view does this for its subclasses that ask for it).
"""

from functools import wraps

from django.http import QueryDict

from .sessions import TIMED_OUT_USER

SESSION_KEY = "kept_answers"
_NOT_KEPT = {"csrfmiddlewaretoken"}


def keeps_answers_through_sign_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)

    wrapper.keeps_answers_through_sign_in = True
    return wrapper


class KeepAnswersThroughSignInMiddleware:
    """Listed before LoginRequiredMiddleware, whose redirect then takes them to sign in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            request.method == "POST"
            and not request.user.is_authenticated
            and _keeps_answers(view_func)
            and request.session.get(TIMED_OUT_USER) is not None
        ):
            request.session[SESSION_KEY] = {
                "path": request.path,
                "for": request.session[TIMED_OUT_USER],
                "answers": {
                    key: values for key, values in request.POST.lists() if key not in _NOT_KEPT
                },
            }
        return None


def _keeps_answers(view_func) -> bool:
    view_class = getattr(view_func, "view_class", None)
    return bool(
        getattr(view_func, "keeps_answers_through_sign_in", False)
        or getattr(view_class, "keeps_answers_through_sign_in", False)
    )


def kept_answers(request) -> QueryDict | None:
    """The answers kept for this page when its session ran out, once, or None."""
    kept = request.session.get(SESSION_KEY)
    if request.method != "GET" or not kept or kept["path"] != request.path:
        return None
    del request.session[SESSION_KEY]
    if kept.get("for") != request.user.pk:
        return None
    answers = QueryDict(mutable=True)
    for key, values in kept["answers"].items():
        answers.setlist(key, values)
    return answers
