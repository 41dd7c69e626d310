"""One read-only admin shape (core.admin_shapes), used by every admin of a record of what happened."""

import inspect

import pytest
from django.contrib import admin

from core.admin_shapes import ReadOnlyInline, ReadOnlyMixin

READ_ONLY = {
    "core.FeedRun", "core.FeedRejection", "core.JobRun", "core.Notification",
    "dashboards.StoreDailyMetrics", "dashboards.ProvinceDailyMetrics", "sales.PhoneView",
    "sales.MileageCorrection", "stores.SlotLoad", "aftersales.Ticket", "aftersales.TicketEvent",
}  # fmt: skip


def _admins():
    return {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}


@pytest.mark.parametrize("label", sorted(READ_ONLY))
def test_records_of_what_happened_are_read_only_for_hq(label, rf, hq_user):
    model_admin = _admins()[label]
    request = rf.get("/")
    request.user = hq_user
    assert isinstance(model_admin, ReadOnlyMixin)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_read_only_inlines_share_one_shape(rf, hq_user):
    request = rf.get("/")
    request.user = hq_user
    inlines = [i for a in admin.site._registry.values() for i in a.get_inline_instances(request) if i.readonly_fields]
    assert inlines and all(isinstance(i, ReadOnlyInline) for i in inlines)
    assert all(not i.has_add_permission(request, None) and not i.has_delete_permission(request) for i in inlines)


def test_no_admin_module_writes_its_own_read_only_class():
    import aftersales.admin
    import core.admin
    import dashboards.admin
    import sales.admin
    import stores.admin

    for module in (aftersales.admin, core.admin, dashboards.admin, sales.admin, stores.admin):
        source = inspect.getsource(module)
        assert "class ReadOnly" not in source, module.__name__
        assert "def has_add_permission(self, request, obj=None) -> bool:\n        return False" not in source
