"""Recall campaigns: HQ only; anyone else gets 404, as for a page that does not exist."""

import logging
from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.forms import RecallCampaignForm
from aftersales.models import RecallCampaign
from aftersales.paging import paginate
from aftersales.services.recalls import recall_progress
from aftersales.tasks import launch_recall
from core.downloads import private_download
from stores.access import is_hq

logger = logging.getLogger(__name__)


def hq_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_hq(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@hq_only
def recall_list(request):
    campaigns = RecallCampaign.objects.select_related("model").order_by("-created_at", "-id")
    page = paginate(campaigns, request.GET.get("page"), rows=campaigns)
    return render(request, "aftersales/recall_list.html", {"page_obj": page, "campaigns": page.object_list})


@hq_only
def recall_create(request):
    form = RecallCampaignForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        campaign = form.save()
        messages.success(request, _("Recall %(code)s saved as a draft.") % {"code": campaign.code})
        return redirect("aftersales:recall_detail", pk=campaign.pk)
    return render(request, "aftersales/recall_form.html", {"form": form})


@require_GET
@hq_only
def recall_detail(request, pk: int):
    campaign = RecallCampaign.objects.select_related("model").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    rows, totals = recall_progress(campaign)
    return render(request, "aftersales/recall_detail.html", {"campaign": campaign, "rows": rows, "totals": totals})


@require_GET
@hq_only
def recall_vin_list(request, pk: int):
    """The uploaded VIN list, to HQ only, as a CSV download (uploads are never served as media)."""
    campaign = RecallCampaign.objects.filter(pk=pk).exclude(vin_list="").first()
    if campaign is None:
        raise Http404
    return private_download(
        campaign.vin_list, filename=f"{campaign.code}-vins.csv", content_type="text/csv; charset=utf-8"
    )


@require_POST
@hq_only
def recall_launch(request, pk: int):
    campaign = RecallCampaign.objects.filter(pk=pk).first()
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
