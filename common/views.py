from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class ComingSoonView(LoginRequiredMixin, TemplateView):
    """The landing page of a section whose issue has not landed yet: it says what is coming."""

    template_name = "coming_soon.html"
    section = ""
    coming: list[str] = []

    def get_context_data(self, **kwargs):  # type: ignore[no-untyped-def]
        return super().get_context_data(section=self.section, coming=self.coming, **kwargs)
