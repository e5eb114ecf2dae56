from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import lockout
from .forms import PortalPasswordChangeForm, SignInForm


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/sign_in.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PortalPasswordChangeForm
    template_name = "registration/password_change.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

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


def home(request):
    user = request.user
    return render(request, f"home/{user.role}.html", {"agency": user.agency})


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
