"""After-sales tickets and their history, generated coherently with the models and services.

A ticket's timeline follows Ticket.MACHINE (new -> in progress -> resolved -> closed, with
waiting for parts on the way for some), its SLA fields are the policy's targets from opening
(moved later by time paused), numbers count up per local year in opening order, and each
ticket's store is recorded in VehicleReach. Completed maintenance restarts the vehicle's clock.
"""

import datetime as dt
import itertools
from bisect import bisect
from dataclasses import dataclass, field

from aftersales.models import Kind, Ticket, TicketEvent

from .activity import Fleet, take_slot
from .context import AT_RISK_SHARE, Context
from .reach import Reach
from .sinks import share_json

try:  # the after-sales rules for who pays, when that module is there
    from aftersales.responsibility import derived_payer
except ImportError:  # pragma: no cover

    def derived_payer(*, kind: str, component: str) -> str:
        return ""


TICKET_COLUMNS = (
    "id", "number", "kind", "priority", "status", "source", "vehicle_id", "customer_id", "store_id", "province",
    "assignee_id", "created_by_id", "summary", "description", "component", "payer", "response_due_at",
    "response_risk_at", "due_at", "risk_at", "responded_at", "paused_at", "resolved_at", "closed_at", "escalations",
    "booked_slot", "campaign_id", "created_at", "updated_at",
)  # fmt: skip
EVENT_COLUMNS = ("ticket_id", "kind", "actor_id", "created_at", "message", "data")

KINDS = (
    (Kind.MAINTENANCE, 0.42),
    (Kind.REPAIR, 0.26),
    (Kind.WARRANTY, 0.1),
    (Kind.COMPLAINT, 0.07),
    (Kind.BATTERY, 0.15),
)
_KIND_VALUES = tuple(k.value for k, _ in KINDS)
MANUAL, RECALL, MAINTENANCE, REPAIR = (
    Ticket.Source.MANUAL.value,
    Kind.RECALL.value,
    Kind.MAINTENANCE.value,
    Kind.REPAIR.value,
)
_KIND_CUM = list(itertools.accumulate(w for _, w in KINDS))
PRIORITIES = (("P1", 0.03), ("P2", 0.15), ("P3", 0.6), ("P4", 0.22))
_PRIORITY_VALUES = tuple(p for p, _ in PRIORITIES)
_PRIORITY_CUM = list(itertools.accumulate(w for _, w in PRIORITIES))
C = Ticket.Component
SUMMARIES: dict[str, tuple] = {
    Kind.MAINTENANCE: (("定期保养", ""), ("常规保养及安全检查", ""), ("空调滤芯及制动液更换", ""), ("首次保养", "")),
    Kind.REPAIR: (("左前门异响", C.BODY), ("空调制冷效果差", C.ELECTRONICS), ("后备箱无法开启", C.BODY),
                  ("底盘异响", C.CHASSIS), ("大灯进水", C.BODY), ("轮胎鼓包更换", C.CHASSIS), ("刹车异响", C.CHASSIS),
                  ("座椅加热不工作", C.INTERIOR)),
    Kind.WARRANTY: (("电机控制器故障码", C.DRIVETRAIN), ("车窗升降器失灵", C.ELECTRONICS), ("充电口无法解锁", C.CHARGING),
                    ("电池管理系统报警", C.BATTERY_PACK), ("中控屏频繁死机", C.ELECTRONICS), ("车载充电机故障", C.CHARGING)),
    Kind.COMPLAINT: (("交付延期投诉", ""), ("维修等待时间过长", ""), ("收费有异议", ""), ("服务态度投诉", "")),
    Kind.BATTERY: (("续航明显下降", C.BATTERY_PACK), ("电池健康检测", C.BATTERY_PACK), ("换电站换电失败", C.SWAP_SYSTEM),
                   ("快充速度慢", C.BATTERY_PACK)),
    Kind.RECALL: (("召回：前悬架下摆臂紧固检查", C.CHASSIS),),
}  # fmt: skip
COMMENTS = ("已联系客户确认到店时间", "配件已到店", "客户要求周末取车", "已完成路试，无异常", "已拍照上传故障部位")
# Plain strings: enum member lookups cost more than the rest of a row in a 2,000,000-row loop.
S_NEW, S_ASSIGNED, S_IN_PROGRESS, S_WAITING_PARTS, S_RESOLVED, S_CLOSED, S_CANCELLED = (
    s.value for s in (Ticket.Status.NEW, Ticket.Status.ASSIGNED, Ticket.Status.IN_PROGRESS, Ticket.Status.WAITING_PARTS,
                      Ticket.Status.RESOLVED, Ticket.Status.CLOSED, Ticket.Status.CANCELLED)
)  # fmt: skip
E_CREATED, E_STATUS, E_ASSIGNED, E_COMMENT = (
    k.value
    for k in (TicketEvent.Kind.CREATED, TicketEvent.Kind.STATUS, TicketEvent.Kind.ASSIGNED, TicketEvent.Kind.COMMENT)
)
H = dt.timedelta(hours=1)


@dataclass
class TicketPlan:
    campaign_id: int | None
    campaign_model: int | None  # model id the recall covers
    launched_at: dt.datetime | None
    counters: dict[int, int]  # local year -> last number given
    first_id: int
    bays: dict = field(default_factory=dict)  # (store id, slot start) -> bays booked


def _open_share(age_hours: float) -> float:
    """How likely a ticket opened this long ago is still open: a believable backlog."""
    if age_hours < 24:
        return 0.92
    if age_hours < 72:
        return 0.6
    if age_hours < 24 * 7:
        return 0.25
    if age_hours < 24 * 30:
        return 0.05
    if age_hours < 24 * 90:
        return 0.01
    return 0.0003


def picks(ctx: Context, fleet: Fleet, n: int) -> list[tuple[float, int, str]]:
    """(hours before now, vehicle position, showcase state) per ticket, oldest first.

    Vehicles are drawn in proportion to how long they have been on the road (a constant rate of
    work per car), so the network gets busier as it grows. The demo store also gets a showcase
    of open work in every SLA state.
    """
    rng = ctx.rng
    delivered = range(fleet.n_delivered)
    cum = list(itertools.accumulate(fleet.age[: fleet.n_delivered]))
    chosen = rng.choices(delivered, cum_weights=cum, k=n)
    result = [(rng.random() * fleet.age[pos] * 24, pos, "") for pos in chosen]
    if ctx.demo_store is not None:
        own = [pos for pos in delivered if fleet.store[pos] == ctx.demo_store.id][:200]
        for state, count in (("breached", 6), ("at_risk", 5), ("on_track", 14), ("new", 5)):
            for _ in range(count if own else 0):
                kind = rng.choice((Kind.MAINTENANCE, Kind.REPAIR, Kind.WARRANTY, Kind.BATTERY))
                priority = rng.choice(("P2", "P3", "P3", "P4"))
                response_h, resolution_h = ctx.sla.get((kind, priority), (8, 72))
                hours_ago = _showcase_age(rng, state, response_h, resolution_h)
                result.append((hours_ago, rng.choice(own), f"{state}:{kind}:{priority}"))
    result.sort(key=lambda p: -p[0])
    return result


@dataclass
class _Life:
    """A ticket's lifecycle as generated: its status, history and the times the row records."""

    status: str
    events: list
    responded: dt.datetime | None = None
    paused: dt.datetime | None = None
    resolved: dt.datetime | None = None
    closed: dt.datetime | None = None
    assignee: int | None = None
    escalations: int = 0
    paused_for: dt.timedelta = dt.timedelta(0)


@dataclass
class _Draft:
    """What a ticket is before its lifecycle: id, vehicle position, kind, where, when, its targets."""

    id: int
    pos: int
    kind: str
    priority: str
    showcase: str
    store: object
    created: dt.datetime
    response_h: int
    resolution_h: int
    staff: list | None
    created_by: int | None


def generate(ctx: Context, fleet: Fleet, plan: TicketPlan, reach: Reach, chosen):
    """Yield (ticket row, [event rows]) in number order.

    An open maintenance or repair ticket not yet started is booked into a bay of its store in the
    coming week (`plan.bays`, the SlotLoad rows), as the scheduler books live work.
    """
    recalled: set[int] = set()
    for offset, (hours_ago, pos, showcase) in enumerate(chosen):
        created = ctx.now - dt.timedelta(hours=hours_ago)
        kind, priority, showcase, source, campaign = _what(ctx, fleet, plan, pos, showcase, created, recalled)
        store = _where(ctx, fleet, reach, pos, kind, showcase)
        summary, component = ctx.rng.choice(SUMMARIES[kind])
        if kind == MAINTENANCE:
            rate = fleet.km_per_day[pos]
            km = int(fleet.age[pos] * rate - hours_ago / 24 * rate)
            summary = f"{summary}（约{max(km, 0) // 1000 * 1000 + 1000}公里）"
        staff = ctx.people_by_store.get(store.id)
        created_by = ctx.rng.choice(staff) if staff and ctx.rng.random() < 0.8 else None
        response_h, resolution_h = ctx.sla.get((kind, priority), (8, 72))
        draft = _Draft(plan.first_id + offset, pos, kind, priority, showcase, store, created,
                       response_h, resolution_h, staff, created_by)  # fmt: skip
        first = (draft.id, E_CREATED, created_by, created, "",
                 {"kind": kind, "priority": priority, "store": store.code, "source": source})  # fmt: skip
        age_h = (ctx.now - created).total_seconds() / 3600
        if showcase or (ctx.rng.random() < _open_share(age_h) and store.active):
            life = _open_life(ctx, draft, [first])
        else:
            life = _closed_life(ctx, fleet, draft, [first])
        booked = _book_bay(ctx, plan.bays, draft, life.status)
        yield _row(ctx, fleet, plan, draft, life, summary, component, source, campaign, booked), life.events


def _what(ctx: Context, fleet: Fleet, plan: TicketPlan, pos: int, showcase: str, created, recalled: set):
    """(kind, priority, showcase state, source, campaign): a recall for a third of the covered cars."""
    random = ctx.rng.random
    if showcase:
        showcase, kind, priority = showcase.split(":")
    else:
        kind = _KIND_VALUES[bisect(_KIND_CUM, random() * _KIND_CUM[-1])]
        priority = _PRIORITY_VALUES[bisect(_PRIORITY_CUM, random() * _PRIORITY_CUM[-1])]
    if (
        plan.campaign_id
        and created > plan.launched_at
        and ctx.models[fleet.model[pos]].id == plan.campaign_model
        and pos not in recalled
        and random() < 0.3
    ):
        recalled.add(pos)
        return RECALL, priority, showcase, RECALL, plan.campaign_id
    return kind, priority, showcase, MANUAL, None


def _where(ctx: Context, fleet: Fleet, reach: Reach, pos: int, kind: str, showcase: str):
    """The car's own store, its usual partner shop nearby, or far from home now and then; recorded in `reach`."""
    vehicle_id = fleet.base_id + pos
    home = ctx.store_by_id[fleet.store[pos]]
    store, flag = home, 1
    roll = ctx.rng.random()
    if showcase:
        store = ctx.demo_store
    elif roll < 0.4 and kind in (MAINTENANCE, REPAIR):
        partners = ctx.partners_by_city.get((home.province, home.city))
        if partners:
            partner = partners[vehicle_id % len(partners)]
            if kind == MAINTENANCE or "repair" in partner.capabilities:
                store, flag = partner, 2
    elif roll > 0.97:
        store, flag = ctx.pick_service(), 0
    if flag:
        reach.flags[pos] |= flag
    else:
        reach.others.add((vehicle_id, store.id))
    return store


def _assigned(ticket_id: int, assignee: int, at: dt.datetime, ctx: Context) -> tuple:
    return (ticket_id, E_ASSIGNED, assignee, at, "",
            {"from": None, "to": ctx.usernames.get(assignee), "status": S_ASSIGNED})  # fmt: skip


def _open_life(ctx: Context, d: _Draft, events: list) -> _Life:
    """Still open now: new, assigned, in progress or waiting for parts, escalated once past due."""
    rng, now = ctx.rng, ctx.now
    response_due, due = d.created + d.response_h * H, d.created + d.resolution_h * H
    states = (S_NEW, S_ASSIGNED, S_IN_PROGRESS, S_WAITING_PARTS)
    status = S_NEW if d.showcase == "new" else rng.choices(states, (0.25, 0.3, 0.3, 0.15))[0]
    if d.showcase in ("at_risk", "on_track", "breached") and status in (S_NEW, S_WAITING_PARTS):
        status = S_IN_PROGRESS
    if status == S_ASSIGNED and not d.staff:
        status = S_IN_PROGRESS
    life = _Life(status=status, events=events)
    if status != S_NEW:
        responded = min(d.created + d.response_h * H * rng.uniform(0.05, 0.9), now - 0.1 * H)
        life.responded = responded = max(responded, d.created + dt.timedelta(minutes=2))
        life.assignee = rng.choice(d.staff) if d.staff else None
        first = S_NEW
        if life.assignee is not None:
            events.append(_assigned(d.id, life.assignee, responded, ctx))
            first = S_ASSIGNED
        started = responded + (now - responded) * 0.1
        if status in (S_IN_PROGRESS, S_WAITING_PARTS):
            events.append(_status(d.id, life.assignee or d.created_by, started, first, S_IN_PROGRESS))
        if status == S_WAITING_PARTS:
            life.paused = started + (now - started) * rng.uniform(0.2, 0.9)
            events.append(_status(d.id, life.assignee, life.paused, S_IN_PROGRESS, S_WAITING_PARTS,
                                  message="等待配件到货"))  # fmt: skip
    at = life.paused or now
    if at >= due or (life.responded is None and at >= response_due):
        life.escalations = 1 + (at >= due + d.resolution_h * H)
    return life


def _closed_life(ctx: Context, fleet: Fleet, d: _Draft, events: list) -> _Life:
    """Done with: cancelled, or worked on, resolved and (after a while) closed."""
    rng = ctx.rng
    cancelled = rng.random() < 0.04
    responded = d.created + d.response_h * H * rng.uniform(0.05, 1.15)
    assignee = rng.choice(d.staff) if d.staff and rng.random() < 0.5 else None
    actor = assignee or d.created_by
    if cancelled:
        events.append(_status(d.id, actor, responded, S_NEW, S_CANCELLED, message="客户取消"))
        return _Life(status=S_CANCELLED, events=events, closed=responded, assignee=assignee)
    life = _Life(status=S_RESOLVED, events=events, responded=responded, assignee=assignee)
    work = d.resolution_h * H * rng.uniform(0.15, 1.2)
    life.resolved = d.created + max(work, (responded - d.created) + 0.5 * H)
    if assignee is not None:
        events.append(_assigned(d.id, assignee, responded, ctx))
    events.append(_status(d.id, actor, responded + 0.05 * H, S_ASSIGNED if assignee else S_NEW, S_IN_PROGRESS))
    if d.kind in (Kind.REPAIR, Kind.WARRANTY) and rng.random() < 0.12:
        pause_start = responded + (life.resolved - responded) * 0.3
        life.paused_for = dt.timedelta(hours=rng.uniform(12, 96))
        events.append(_status(d.id, actor, pause_start, S_IN_PROGRESS, S_WAITING_PARTS, message="等待配件到货"))
        events.append(_status(d.id, actor, pause_start + life.paused_for, S_WAITING_PARTS, S_IN_PROGRESS,
                              paused_seconds=int(life.paused_for.total_seconds())))  # fmt: skip
        life.resolved += life.paused_for
    if rng.random() < 0.1:
        events.append((d.id, E_COMMENT, actor, responded + (life.resolved - responded) / 2, rng.choice(COMMENTS), {}))
    events.append(_status(d.id, actor, life.resolved, S_IN_PROGRESS, S_RESOLVED))
    _close_or_still_open(ctx, d, life, actor)
    if d.kind == Kind.MAINTENANCE and life.resolved is not None:
        service_age = (ctx.now - life.resolved).total_seconds() / 86400
        known = fleet.last_service_age.get(d.pos)
        if known is None or service_age < known[0]:
            fleet.last_service_age[d.pos] = (service_age, d.store.id)
    if life.resolved is not None and life.resolved > d.created + d.resolution_h * H + life.paused_for:
        life.escalations = 1
    return life


def _close_or_still_open(ctx: Context, d: _Draft, life: _Life, actor) -> None:
    """Closed a while after resolving when that time has come; work that would end after now is still going."""
    now = ctx.now
    life.closed = life.resolved + ctx.rng.uniform(0.5, 36) * H
    if life.closed < now:
        life.status = S_CLOSED
        life.events.append(_status(d.id, ctx.person_at(d.store.id) or actor, life.closed, S_RESOLVED, S_CLOSED))
    else:
        life.closed = None
    if life.resolved > now:  # still being worked on after all (or waiting for parts now)
        life.status, life.resolved, life.closed = S_IN_PROGRESS, None, None
        life.events = [e for e in life.events if e[3] <= now]
        last = life.events[-1]
        if last[1] == E_STATUS and last[5]["to"] == S_WAITING_PARTS:
            life.status, life.paused = S_WAITING_PARTS, last[3]
        if not any("paused_seconds" in e[5] for e in life.events):  # not resumed yet: no time moved
            life.paused_for = dt.timedelta(0)


def _book_bay(ctx: Context, bays: dict, d: _Draft, status: str) -> dt.datetime | None:
    """A bay in one of the store's hours in the coming week for open work not yet started, or None."""
    store = d.store
    if d.kind not in (MAINTENANCE, REPAIR) or status not in (S_NEW, S_ASSIGNED) or not store.active:
        return None
    if d.kind not in store.capabilities or not store.bays or not store.hours():
        return None
    for _try in range(6):
        day = ctx.today + dt.timedelta(days=ctx.rng.randint(0, 6))
        slot = ctx.local(day, ctx.rng.choice(store.hours()))
        if slot > ctx.now and take_slot(bays, store.id, slot, store.bays) is not None:
            return slot
    return None


def _row(ctx, fleet, plan, d: _Draft, life: _Life, summary, component, source, campaign, booked) -> tuple:
    """The ticket's row; time paused for parts moves every due and at-risk time later, as resuming does."""
    risk_share = 1 - AT_RISK_SHARE
    response_due, due = d.created + d.response_h * H, d.created + d.resolution_h * H
    response_risk = d.created + (response_due - d.created) * risk_share + life.paused_for
    risk = d.created + (due - d.created) * risk_share + life.paused_for
    year = d.created.astimezone(ctx.tz).year
    plan.counters[year] = plan.counters.get(year, 0) + 1
    store, pos = d.store, d.pos
    return (
        d.id, f"AS-{year}-{plan.counters[year]:07d}", d.kind, d.priority, life.status, source, fleet.base_id + pos,
        fleet.owner[pos], store.id, store.province, life.assignee, d.created_by, summary,
        f"客户反映：{summary}。车辆行驶约{int(fleet.age[pos] * fleet.km_per_day[pos])}公里。", component,
        derived_payer(kind=d.kind, component=component), response_due + life.paused_for, response_risk,
        due + life.paused_for, risk, life.responded, life.paused, life.resolved, life.closed, life.escalations,
        booked, campaign, d.created, life.events[-1][3],
    )  # fmt: skip


_STATUS_DATA = {(a, b): share_json({"from": a, "to": b}) for a, b in itertools.product(Ticket.Status.values, repeat=2)}


def _status(ticket_id, actor, at, from_status, to_status, message="", **extra):
    data = {"from": from_status, "to": to_status, **extra} if extra else _STATUS_DATA[(from_status, to_status)]
    return (ticket_id, E_STATUS, actor, at, message, data)


def _showcase_age(rng, state, response_h, resolution_h) -> float:
    """Hours since opening that put a demo-store ticket in the wanted SLA state now."""
    if state == "breached":
        return resolution_h * rng.uniform(1.05, 1.6)
    if state == "at_risk":
        return resolution_h * rng.uniform(0.83, 0.95)
    if state == "new":
        return response_h * rng.uniform(0.1, 0.7)
    return resolution_h * rng.uniform(0.1, 0.5)
