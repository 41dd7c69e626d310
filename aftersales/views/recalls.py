"""Recall campaigns: for whoever may manage recalls (stores.policy: HQ); anyone else gets 404, as
for a page that does not exist."""

import logging
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales import selectors
from aftersales.forms import RecallCampaignForm
from aftersales.services.recalls import recall_campaign_create, recall_progress
from aftersales.tasks import launch_recall
from core.paginators import paginate
from stores.policy import can

logger = logging.getLogger(__name__)


def recalls_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can(request.user, "recall.manage"):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@recalls_page
def recall_list(request):
    campaigns = selectors.recall_campaigns()
    page = paginate(campaigns, request.GET.get("page"), rows=campaigns)
    return render(request, "aftersales/recall_list.html", {"page_obj": page, "campaigns": page.object_list})


@recalls_page
def recall_create(request):
    form = RecallCampaignForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = recall_campaign_create(
                code=data["code"], title=data["title"], description=data["description"], model=data["model"],
                vin_list=data["vin_list"] or None, vin_from=data["vin_from"], vin_to=data["vin_to"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
            return render(request, "aftersales/recall_form.html", {"form": form})
        messages.success(request, _("Recall %(code)s saved as a draft.") % {"code": campaign.code})
        return redirect("aftersales:recall_detail", pk=campaign.pk)
    return render(request, "aftersales/recall_form.html", {"form": form})


@require_GET
@recalls_page
def recall_detail(request, pk: int):
    campaign = selectors.recall_campaign(pk=pk)
    if campaign is None:
        raise Http404
    rows, totals = recall_progress(campaign)
    return render(request, "aftersales/recall_detail.html", {"campaign": campaign, "rows": rows, "totals": totals})


@require_POST
@recalls_page
def recall_launch(request, pk: int):
    campaign = selectors.recall_campaign(pk=pk)
    if campaign is None:
        raise Http404
    # The launch runs in the background; launching twice creates each ticket once. Nothing is
    # written here first, so the task is sent at once: with the broker down the user is told so
    # (and may try again) instead of a 500 or a launch silently lost.
    try:
        launch_recall.delay(campaign.pk, request.user.pk)
    except Exception:  # noqa: BLE001  (kombu's connection errors: the broker is unreachable)
        logger.warning("broker unavailable; recall %s not launched", campaign.code)
        messages.error(
            request,
            _("The background queue is unavailable: recall %(code)s was not launched. Try again in a few minutes.")
            % {"code": campaign.code},
        )
        return redirect("aftersales:recall_detail", pk=campaign.pk)
    messages.success(
        request, _("Recall %(code)s is launching: tickets appear as they are created.") % {"code": campaign.code}
    )
    return redirect("aftersales:recall_detail", pk=campaign.pk)
