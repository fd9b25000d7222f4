from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("Stations and police strength")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from stations.services import session_stamp_login

        def stamp(sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
            if request is not None and hasattr(request, "session"):
                session_stamp_login(request=request, user=user)

        user_logged_in.connect(stamp, weak=False, dispatch_uid="stations.session_stamp_login")  # a local function

        from stations.twofactor import note_authenticator_at_sign_in

        def note_authenticator(sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
            note_authenticator_at_sign_in(request, user)

        user_logged_in.connect(note_authenticator, weak=False, dispatch_uid="stations.note_authenticator")
