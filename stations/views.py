from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.generic import TemplateView

from stations import services


class LoginView(auth_views.LoginView):
    """The sign-in page. Lockout after repeated failures is django-axes' (see settings)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        services.user_login(request=self.request, user=form.get_user())
        return HttpResponseRedirect(self.get_success_url())


class LogoutView(auth_views.LogoutView):
    """Signing out ends every session and API token of the user, not just this browser's."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
        if request.user.is_authenticated:
            services.user_end_all_sessions(user=request.user)  # type: ignore[arg-type]
        return super().post(request, *args, **kwargs)


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "stations/home.html"
