from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import access, lockout, second_step, sessions, two_factor
from .forms import PortalPasswordChangeForm, SignInForm


class SignOutView(auth_views.LogoutView):
    """Signing out, remembering whose session it was: a form in another tab posted after this
    keeps its answers for that person only (kept_answers.py), never the next to sign in."""

    def post(self, request, *args, **kwargs):
        owner = request.user.pk
        response = super().post(request, *args, **kwargs)
        if owner is not None:
            request.session[sessions.TIMED_OUT_USER] = owner
        return response


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/sign_in.html"
    redirect_authenticated_user = True

    def get_success_url(self):
        # A password alone never goes straight to a page: the second step comes first.
        step = second_step.pending_step(self.request)
        if step is not None:
            return second_step.step_url(step, self.get_redirect_url() or None)
        return super().get_success_url()

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "timed_out": self.request.session.pop(sessions.TIMED_OUT, False),
            "idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
        }


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PortalPasswordChangeForm
    template_name = "registration/password_change.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def get_context_data(self, **kwargs):
        has = two_factor.has_two_factor(self.request.user)
        return {**super().get_context_data(**kwargs), "has_two_factor": has}

    def form_invalid(self, form):
        if form.paused:
            # Too many guesses of the current password: the session is ended too, in case it
            # was left open for someone else to use.
            logout(self.request)
            messages.warning(self.request, lockout.paused_message())
            return redirect(settings.LOGIN_URL)
        return super().form_invalid(form)


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


@login_not_required
@second_step.before_second_step
@sessions.not_use
@require_http_methods(["GET", "POST"])
def session_status(request):
    """For the timeout warning: how many seconds the session has left (asking does not keep it
    alive); a POST is "Stay signed in"."""
    if not request.user.is_authenticated:
        return JsonResponse({"seconds_left": 0})
    # Halfway through signing in is not use: the session may not be kept waiting there.
    if request.method == "POST" and second_step.pending_step(request) is None:
        sessions.record_use(request, always=True)
    return JsonResponse({"seconds_left": sessions.seconds_left(request)})


def home(request):
    user = request.user
    # One query, for those who could be on an audit team: a link to their audits while a
    # round they audit in runs.
    audits = access.works_with_children(user) and access.audit_samples_visible_to(user).exists()
    return render(request, f"home/{user.role}.html", {"agency": user.agency, "has_audits": audits})


@login_not_required
def accessibility_statement(request):
    return render(request, "neglect_portal/accessibility.html")


@login_not_required
@require_GET
@never_cache
def health(request):
    """For load balancers: the process is up and the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
