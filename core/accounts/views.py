"""The account pages are the portal's own (issue #18): Django's views, the portal's forms and limits."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from .client_ip import client_ip
from .forms import PortalPasswordChangeForm, PortalPasswordResetForm
from .services import password_reset_allowed


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm

    def form_valid(self, form):
        # Limited or not, known address or not: the same answer, so the form tells nothing.
        if password_reset_allowed(email=form.cleaned_data["email"], address=client_ip(self.request)):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PortalPasswordChangeForm
