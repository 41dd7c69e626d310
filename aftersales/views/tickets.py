"""The ticket queue, the create form, the ticket page and its actions, bulk actions, the export."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales import export, selectors
from aftersales.access import get_ticket_or_404, tickets_visible_to
from aftersales.forms import (
    AssignForm,
    AttachmentForm,
    BulkForm,
    CommentForm,
    ComponentForm,
    PayerForm,
    PriorityForm,
    TicketCreateForm,
    TicketFilterForm,
    TransitionForm,
)
from aftersales.models import Kind, Ticket
from aftersales.paging import paginate
from aftersales.services import sla
from aftersales.services import tickets as services
from aftersales.services.attachments import ALLOWED_TYPES, attachment_add, download_name
from core.downloads import private_download
from core.uploads import upload_limit
from sales.access import sees_full_phone_in_lists
from stores.access import membership_of, role_of
from stores.models import Role

MANAGERS = (Role.MANAGER, Role.REGIONAL, Role.HQ)


def _sees_full_phones(user) -> bool:
    """Staff (not managers) see customers' mobile numbers masked in lists (CONTRACT 5)."""
    return sees_full_phone_in_lists(user)


@require_GET
def ticket_list(request):
    role = role_of(request.user)
    form = TicketFilterForm.from_query(request.GET, show_store=role in (Role.REGIONAL, Role.HQ))
    filters = form.filters()
    queryset = selectors.ticket_list(user=request.user, filters=filters)
    if request.GET.get("format") == "csv":
        return _csv_response(queryset, request.user)
    page = paginate(queryset, request.GET.get("page"), rows=selectors.ticket_rows())
    now = timezone.now()
    for ticket in page:
        ticket.sla_state = sla.sla_state(ticket, now)
        ticket.sla_due = sla.current_due(ticket)
    context = {
        "form": form,
        "active_filters": sum(1 for name in form.fields if request.GET.get(name)),
        "page_obj": page,
        "tickets": page.object_list,
        "full_phones": _sees_full_phones(request.user),
        "bulk_statuses": Ticket.Status.choices,
        "may_bulk_assign_others": role in MANAGERS,
        "role": role,
    }
    partial = request.htmx and request.htmx.target == "ticket-table"
    template = "aftersales/partials/ticket_table.html" if partial else "aftersales/ticket_list.html"
    return render(request, template, context)


def _csv_response(queryset, user) -> StreamingHttpResponse:
    body = export.stream(queryset, mask_phones=not _sees_full_phones(user))
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="tickets-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def ticket_create(request):
    role = role_of(request.user)
    if role is None:
        raise Http404
    membership = membership_of(request.user)
    own_store = membership.store if role in (Role.STAFF, Role.MANAGER) and membership else None
    if role in (Role.STAFF, Role.MANAGER) and own_store is None:
        raise Http404
    form = TicketCreateForm(request.POST or None, user=request.user, own_store=own_store)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                vehicle=data["vin"],
                kind=data["kind"],
                priority=data["priority"],
                summary=data["summary"],
                description=data["description"],
                store=form.target_store(),
                created_by=request.user,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Ticket %(number)s opened.") % {"number": ticket.number})
            return redirect(ticket)
    return render(request, "aftersales/ticket_form.html", {"form": form, "own_store": own_store})


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_GET
def ticket_detail(request, number: str):
    ticket = get_ticket_or_404(request.user, number, selectors.ticket_detail_queryset())
    now = timezone.now()
    user = request.user
    role = role_of(user)
    context = {
        "ticket": ticket,
        "events": selectors.ticket_events(ticket),
        "attachments": selectors.ticket_attachments(ticket),
        "sla_state": sla.sla_state(ticket, now),
        "sla_due": sla.current_due(ticket),
        "sla_awaiting_response": ticket.responded_at is None and ticket.is_open,
        "transitions": [
            (s, Ticket.Status(s).label) for s in services.allowed_transitions(ticket=ticket, actor=user)
        ],
        "comment_form": CommentForm(),
        "attachment_form": AttachmentForm(),
        "assign_form": AssignForm(initial={"assignee": ticket.assignee.username if ticket.assignee else ""}),
        "priority_form": PriorityForm(initial={"priority": ticket.priority}),
        "payer_form": PayerForm(initial={"payer": ticket.payer}),
        "component_form": ComponentForm(initial={"component": ticket.component}),
        "may_assign_others": role in MANAGERS,
        "may_take": ticket.is_open and ticket.assignee_id != user.pk and ticket.store_id is not None
        and membership_of(user) is not None and membership_of(user).store_id == ticket.store_id,
        "may_prioritise": role in MANAGERS and ticket.is_open,
        "may_set_payer": role == Role.HQ,
        "names_payer": ticket.kind in (Kind.WARRANTY, Kind.BATTERY),
        "has_job_card": ticket.kind in (Kind.MAINTENANCE, Kind.REPAIR),
    }  # fmt: skip
    return render(request, "aftersales/ticket_detail.html", context)


@require_GET
def ticket_job_card(request, number: str):
    ticket = get_ticket_or_404(request.user, number, selectors.ticket_detail_queryset())
    if ticket.kind not in (Kind.MAINTENANCE, Kind.REPAIR):
        raise Http404
    return render(request, "aftersales/ticket_job_card.html", {"ticket": ticket, "printed_at": timezone.now()})


def _act(request, number: str, action) -> HttpResponseRedirect:
    """Run one change on a ticket in reach; refusals come back as messages on the ticket page."""
    ticket = get_ticket_or_404(request.user, number)
    try:
        action(ticket)
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    return redirect(ticket)


@require_POST
def ticket_transition(request, number: str):
    form = TransitionForm(request.POST)

    def act(ticket):
        if not form.is_valid():
            raise ValidationError(_("Choose a status."))
        services.ticket_transition(
            ticket=ticket, to_status=form.cleaned_data["to_status"], actor=request.user,
            message=form.cleaned_data["message"],
        )  # fmt: skip

    return _act(request, number, act)


@require_POST
def ticket_comment(request, number: str):
    form = CommentForm(request.POST)

    def act(ticket):
        if not form.is_valid():
            raise ValidationError(_("Write a comment first."))
        services.ticket_comment(ticket=ticket, actor=request.user, message=form.cleaned_data["message"])

    return _act(request, number, act)


def _store_member(ticket: Ticket, username: str):
    """A user of the ticket's store by username (None for an empty name)."""
    if not username:
        return None
    user = (
        get_user_model().objects.filter(username=username, membership__store_id=ticket.store_id, is_active=True).first()
    )
    if user is None or ticket.store_id is None:
        raise ValidationError(_("%(user)s does not work at the ticket's store.") % {"user": username})
    return user


@require_POST
def ticket_assign(request, number: str):
    form = AssignForm(request.POST)

    def act(ticket):
        if not form.is_valid():
            raise ValidationError(_("Name a user."))
        name = form.cleaned_data["assignee"].strip()
        assignee = request.user if name == "me" else _store_member(ticket, name)
        services.ticket_assign(ticket=ticket, assignee=assignee, actor=request.user)

    return _act(request, number, act)


@require_POST
def ticket_priority(request, number: str):
    form = PriorityForm(request.POST)

    def act(ticket):
        if not form.is_valid():
            raise ValidationError(_("Choose a priority."))
        services.ticket_set_priority(
            ticket=ticket, priority=form.cleaned_data["priority"], actor=request.user,
            reason=form.cleaned_data["reason"],
        )  # fmt: skip

    return _act(request, number, act)


@require_POST
def ticket_payer(request, number: str):
    form = PayerForm(request.POST)

    def act(ticket):
        if role_of(request.user) != Role.HQ:
            raise PermissionDenied(_("Only HQ may change who pays for a ticket."))
        if not form.is_valid():
            raise ValidationError(_("Choose the paying party and give the reason."))
        services.ticket_set_payer(
            ticket=ticket, payer=form.cleaned_data["payer"], reason=form.cleaned_data["reason"], actor=request.user
        )

    return _act(request, number, act)


@require_POST
def ticket_component(request, number: str):
    form = ComponentForm(request.POST)

    def act(ticket):
        if not form.is_valid():
            raise ValidationError(_("Choose a component."))
        services.ticket_set_component(ticket=ticket, component=form.cleaned_data["component"], actor=request.user)

    return _act(request, number, act)


@upload_limit("ATTACHMENT_MAX_BYTES")
@require_POST
def ticket_attach(request, number: str):
    form = AttachmentForm(request.POST, request.FILES)

    def act(ticket):
        if not form.is_valid():
            raise ValidationError(_("Choose a photo or PDF to attach."))
        attachment_add(ticket=ticket, upload=form.cleaned_data["file"], actor=request.user)

    return _act(request, number, act)


@require_GET
def attachment_download(request, number: str, pk: int):
    ticket = get_ticket_or_404(request.user, number)
    attachment = ticket.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    # Named and typed by what was sniffed at upload.
    known = attachment.content_type in ALLOWED_TYPES
    return private_download(
        attachment.file,
        filename=download_name(original_name=attachment.original_name, content_type=attachment.content_type),
        content_type=attachment.content_type if known else "application/octet-stream",
    )


@require_POST
def ticket_bulk(request):
    """Assign or move many tickets at once. Any id outside the user's reach: 404, nothing changes."""
    form = BulkForm(request.POST)
    back = request.POST.get("next") or ""
    if not back.startswith("/aftersales/tickets/"):
        back = "/aftersales/tickets/"
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return HttpResponseRedirect(back)
    ids = form.cleaned_data["ids"]
    tickets = list(tickets_visible_to(request.user).filter(pk__in=ids).order_by("id"))
    if len(tickets) != len(ids):
        raise Http404
    done, refused = [], []
    with transaction.atomic():
        for ticket in tickets:
            try:
                with transaction.atomic():
                    _bulk_one(request, form, ticket)
            except (ValidationError, PermissionDenied) as exc:
                refused.append(f"{ticket.number}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
            else:
                done.append(ticket.number)
    if done:
        messages.success(request, _("%(count)d tickets changed.") % {"count": len(done)})
    for line in refused[:20]:
        messages.warning(request, line)
    return HttpResponseRedirect(back)


def _bulk_one(request, form: BulkForm, ticket: Ticket) -> None:
    if form.cleaned_data["action"] == "assign":
        name = form.cleaned_data["assignee"].strip()
        assignee = request.user if name == "me" else _store_member(ticket, name)
        services.ticket_assign(ticket=ticket, assignee=assignee, actor=request.user)
    else:
        services.ticket_transition(ticket=ticket, to_status=form.cleaned_data["to_status"], actor=request.user)
