"""The ticket queue, the create form, the ticket page and its actions, bulk actions, the export."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
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
from aftersales.services import bulk, sla
from aftersales.services import tickets as services
from aftersales.services.attachments import attachment_add
from core.paginators import paginate
from sales.services.phones import reveal_phones
from stores.access import membership_of, role_of
from stores.models import Role
from stores.policy import RecordFinished


@require_GET
def ticket_list(request):
    role = role_of(request.user)
    form = TicketFilterForm.from_query(request.GET, show_store=role in (Role.REGIONAL, Role.HQ))
    filters = form.filters()
    queryset = selectors.ticket_list(user=request.user, filters=filters)
    if request.GET.get("format") == "csv":
        return _csv_response(queryset, request)
    page = paginate(queryset, request.GET.get("page"), rows=selectors.ticket_rows())
    reveal_phones(user=request.user, customers=[t.customer for t in page], path=request.get_full_path(), listing=True)
    now = timezone.now()
    for ticket in page:
        ticket.sla_state = sla.sla_state(ticket, now)
        ticket.sla_due = sla.current_due(ticket)
    context = {
        "form": form,
        "active_filters": sum(1 for name in form.fields if request.GET.get(name)),
        "page_obj": page,
        "tickets": page.object_list,
        "bulk_statuses": Ticket.Status.choices,
        "role": role,
    }
    partial = request.htmx and request.htmx.target == "ticket-table"
    template = "aftersales/partials/ticket_table.html" if partial else "aftersales/ticket_list.html"
    return render(request, template, context)


def _csv_response(queryset, request) -> StreamingHttpResponse:
    body = export.stream(queryset, user=request.user, path=request.get_full_path())
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
    reveal_phones(user=request.user, customers=[ticket.customer], path=request.path, listing=False)
    now = timezone.now()
    context = {
        "ticket": ticket,
        "events": selectors.ticket_events(ticket),
        "attachments": selectors.ticket_attachments(ticket),
        "sla_state": sla.sla_state(ticket, now),
        "sla_due": sla.current_due(ticket),
        "sla_awaiting_response": ticket.responded_at is None and ticket.is_open,
        "transitions": [
            (s, Ticket.Status(s).label) for s in services.allowed_transitions(ticket=ticket, actor=request.user)
        ],
        "comment_form": CommentForm(),
        "attachment_form": AttachmentForm(),
        "assign_form": AssignForm(initial={"assignee": ticket.assignee.username if ticket.assignee else ""}),
        "priority_form": PriorityForm(initial={"priority": ticket.priority}),
        "payer_form": PayerForm(initial={"payer": ticket.payer}),
        "component_form": ComponentForm(initial={"component": ticket.component}),
        "names_payer": ticket.kind in (Kind.WARRANTY, Kind.BATTERY),
        "has_job_card": ticket.kind in (Kind.MAINTENANCE, Kind.REPAIR),
    }  # fmt: skip
    return render(request, "aftersales/ticket_detail.html", context)


@require_GET
def ticket_job_card(request, number: str):
    ticket = get_ticket_or_404(request.user, number, selectors.ticket_detail_queryset())
    if ticket.kind not in (Kind.MAINTENANCE, Kind.REPAIR):
        raise Http404
    reveal_phones(user=request.user, customers=[ticket.customer], path=request.path, listing=False)
    return render(request, "aftersales/ticket_job_card.html", {"ticket": ticket, "printed_at": timezone.now()})


def _act(request, number: str, action) -> HttpResponseRedirect:
    """Run one change on a ticket in reach. A refusal by the policy (stores.policy) answers 403;
    a finished ticket or a change its state does not allow comes back as a message on its page."""
    ticket = get_ticket_or_404(request.user, number)
    try:
        action(ticket)
    except (ValidationError, RecordFinished) as exc:
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


@require_POST
def ticket_assign(request, number: str):
    form = AssignForm(request.POST)

    def act(ticket):
        if not form.is_valid():
            raise ValidationError(_("Name a user."))
        assignee = bulk.assignee_by_name(ticket=ticket, name=form.cleaned_data["assignee"], actor=request.user)
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
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # Always a download, with the type sniffed at upload: never rendered as a page.
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
def ticket_bulk(request):
    """Assign or move many tickets at once: one summary message. Any id out of reach: 404."""
    form = BulkForm(request.POST)
    back = request.POST.get("next") or ""
    back = back if back.startswith("/aftersales/tickets/") else "/aftersales/tickets/"
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(back)
    data = form.cleaned_data
    tickets = list(tickets_visible_to(request.user).filter(pk__in=data["ids"]).order_by("id"))
    if len(tickets) != len(data["ids"]):
        raise Http404
    try:
        if data["action"] == "assign":
            result = bulk.tickets_bulk_assign(tickets=tickets, assignee_name=data["assignee"], actor=request.user)
        else:
            result = bulk.tickets_bulk_transition(tickets=tickets, to_status=data["to_status"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(back)
    level = messages.SUCCESS if not result.skipped else messages.WARNING if result.done else messages.ERROR
    messages.add_message(request, level, result.summary())
    return HttpResponseRedirect(back)
