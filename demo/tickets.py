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

from .activity import Fleet
from .context import AT_RISK_SHARE, Context
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
REACH_COLUMNS = ("vehicle_id", "store_id")

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
class Reach:
    """Stores holding work per vehicle: two flags (home store, usual partner) and a set for the rest."""

    flags: bytearray
    others: set = field(default_factory=set)


@dataclass
class TicketPlan:
    campaign_id: int | None
    campaign_model: int | None  # model id the recall covers
    launched_at: dt.datetime | None
    counters: dict[int, int]  # local year -> last number given
    first_id: int


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


def generate(ctx: Context, fleet: Fleet, plan: TicketPlan, reach: Reach, chosen):
    """Yield (ticket row, [event rows]) in number order."""
    rng, now, tz, sla = ctx.rng, ctx.now, ctx.tz, ctx.sla
    random = rng.random
    recalled: set[int] = set()
    models = ctx.models
    for offset, (hours_ago, pos, showcase) in enumerate(chosen):
        ticket_id = plan.first_id + offset
        vehicle_id = fleet.base_id + pos
        home = ctx.store_by_id[fleet.store[pos]]
        if showcase:
            showcase, kind, priority = showcase.split(":")
        else:
            kind = _KIND_VALUES[bisect(_KIND_CUM, random() * _KIND_CUM[-1])]
            priority = _PRIORITY_VALUES[bisect(_PRIORITY_CUM, random() * _PRIORITY_CUM[-1])]
        response_h, resolution_h = sla.get((kind, priority), (8, 72))
        created = now - dt.timedelta(hours=hours_ago)
        source, campaign = MANUAL, None
        if (
            plan.campaign_id
            and created > plan.launched_at
            and models[fleet.model[pos]].id == plan.campaign_model
            and pos not in recalled
            and rng.random() < 0.3
        ):
            kind, source, campaign = RECALL, RECALL, plan.campaign_id
            recalled.add(pos)
            response_h, resolution_h = sla.get((kind, priority), (8, 72))

        # Where: the car's own store, its usual partner shop nearby, or far from home now and then.
        store, flag = home, 1
        roll = rng.random()
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

        summary, component = rng.choice(SUMMARIES[kind])
        if kind == MAINTENANCE:
            km = int(fleet.age[pos] * fleet.km_per_day[pos] - hours_ago / 24 * fleet.km_per_day[pos])
            summary = f"{summary}（约{max(km, 0) // 1000 * 1000 + 1000}公里）"
        staff = ctx.people_by_store.get(store.id)
        created_by = rng.choice(staff) if staff and rng.random() < 0.8 else None

        # The lifecycle.
        age_h = (now - created).total_seconds() / 3600
        is_open = True if showcase else rng.random() < _open_share(age_h) and store.active
        response_due = created + response_h * H
        due = created + resolution_h * H
        risk_share = 1 - AT_RISK_SHARE
        events = [(ticket_id, E_CREATED, created_by, created, "",
                   {"kind": kind, "priority": priority, "store": store.code, "source": source})]  # fmt: skip
        responded = paused = resolved = closed = None
        assignee = None
        escalations = 0
        paused_for = dt.timedelta(0)
        updated = created
        if is_open:
            states = (S_NEW, S_ASSIGNED, S_IN_PROGRESS, S_WAITING_PARTS)
            status = S_NEW if showcase == "new" else rng.choices(states, (0.25, 0.3, 0.3, 0.15))[0]
            if showcase in ("at_risk", "on_track", "breached") and status in (S_NEW, S_WAITING_PARTS):
                status = S_IN_PROGRESS
            if status == S_ASSIGNED and not staff:
                status = S_IN_PROGRESS
            if status != S_NEW:
                responded = min(created + response_h * H * rng.uniform(0.05, 0.9), now - 0.1 * H)
                responded = max(responded, created + dt.timedelta(minutes=2))
                assignee = rng.choice(staff) if staff else None
                if assignee is not None:
                    events.append((ticket_id, E_ASSIGNED, assignee, responded, "",
                                   {"from": None, "to": ctx.usernames.get(assignee), "status": S_ASSIGNED}))  # fmt: skip
                    first = S_ASSIGNED
                else:
                    first = S_NEW
                started = responded + (now - responded) * 0.1
                if status in (S_IN_PROGRESS, S_WAITING_PARTS):
                    events.append(_status(ticket_id, assignee or created_by, started, first, S_IN_PROGRESS))
                if status == S_WAITING_PARTS:
                    paused = started + (now - started) * rng.uniform(0.2, 0.9)
                    events.append(_status(ticket_id, assignee, paused, S_IN_PROGRESS, S_WAITING_PARTS,
                                          message="等待配件到货"))  # fmt: skip
                updated = events[-1][3]
            at = paused or now
            if at >= due or (responded is None and at >= response_due):
                escalations = 1 + (at >= due + resolution_h * H)
        else:
            cancelled = rng.random() < 0.04
            responded = created + response_h * H * rng.uniform(0.05, 1.15)
            assignee = rng.choice(staff) if staff and rng.random() < 0.5 else None
            actor = assignee or created_by
            if cancelled:
                status = S_CANCELLED
                closed = responded
                events.append(_status(ticket_id, actor, closed, S_NEW, S_CANCELLED, message="客户取消"))
                responded = None
            else:
                work = resolution_h * H * rng.uniform(0.15, 1.2)
                resolved = created + max(work, (responded - created) + 0.5 * H)
                if assignee is not None:
                    events.append((ticket_id, E_ASSIGNED, assignee, responded, "",
                                   {"from": None, "to": ctx.usernames.get(assignee), "status": S_ASSIGNED}))  # fmt: skip
                events.append(_status(ticket_id, actor, responded + 0.05 * H,
                                      S_ASSIGNED if assignee else S_NEW, S_IN_PROGRESS))  # fmt: skip
                if kind in (Kind.REPAIR, Kind.WARRANTY) and rng.random() < 0.12:
                    pause_start = responded + (resolved - responded) * 0.3
                    paused_for = dt.timedelta(hours=rng.uniform(12, 96))
                    events.append(_status(ticket_id, actor, pause_start, S_IN_PROGRESS, S_WAITING_PARTS,
                                          message="等待配件到货"))  # fmt: skip
                    events.append(_status(ticket_id, actor, pause_start + paused_for, S_WAITING_PARTS,
                                          S_IN_PROGRESS, paused_seconds=int(paused_for.total_seconds())))  # fmt: skip
                    resolved += paused_for
                if rng.random() < 0.1:
                    events.append((ticket_id, E_COMMENT, actor, responded + (resolved - responded) / 2,
                                   rng.choice(COMMENTS), {}))  # fmt: skip
                events.append(_status(ticket_id, actor, resolved, S_IN_PROGRESS, S_RESOLVED))
                closed = resolved + rng.uniform(0.5, 36) * H
                status = S_RESOLVED
                if closed < now:
                    status = S_CLOSED
                    events.append(_status(ticket_id, ctx.person_at(store.id) or actor, closed, S_RESOLVED, S_CLOSED))
                else:
                    closed = None
                if resolved > now:  # still being worked on after all (or waiting for parts now)
                    status, resolved, closed = S_IN_PROGRESS, None, None
                    events = [e for e in events if e[3] <= now]
                    last = events[-1]
                    if last[1] == E_STATUS and last[5]["to"] == S_WAITING_PARTS:
                        status, paused = S_WAITING_PARTS, last[3]
                    if not any("paused_seconds" in e[5] for e in events):  # not resumed yet: no time moved
                        paused_for = dt.timedelta(0)
                if kind == Kind.MAINTENANCE and resolved is not None:
                    service_age = (now - resolved).total_seconds() / 86400
                    known = fleet.last_service_age.get(pos)
                    if known is None or service_age < known[0]:
                        fleet.last_service_age[pos] = (service_age, store.id)
                if resolved is not None and resolved > due + paused_for:
                    escalations = 1
            updated = events[-1][3]
        # Time paused for parts moves every due and at-risk time later, as resuming does.
        response_risk = created + (response_due - created) * risk_share + paused_for
        risk = created + (due - created) * risk_share + paused_for
        response_due += paused_for
        due += paused_for
        year = created.astimezone(tz).year
        plan.counters[year] = plan.counters.get(year, 0) + 1
        row = (
            ticket_id, f"AS-{year}-{plan.counters[year]:07d}", kind, priority, status, source, vehicle_id,
            fleet.owner[pos], store.id, store.province, assignee, created_by, summary,
            f"客户反映：{summary}。车辆行驶约{int(fleet.age[pos] * fleet.km_per_day[pos])}公里。", component,
            derived_payer(kind=kind, component=component), response_due, response_risk, due, risk,
            responded, paused, resolved, closed, escalations, None, campaign, created, updated,
        )  # fmt: skip
        yield row, events


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


def reach_rows(fleet: Fleet, reach: Reach, ctx: Context):
    """One VehicleReach row per (vehicle, store) holding work for it."""
    seen = set()
    for pos, flags in enumerate(reach.flags):
        if not flags:
            continue
        vehicle_id = fleet.base_id + pos
        home = ctx.store_by_id[fleet.store[pos]]
        if flags & 1:
            seen.add((vehicle_id, home.id))
            yield (vehicle_id, home.id)
        if flags & 2:
            partners = ctx.partners_by_city[(home.province, home.city)]
            partner = partners[vehicle_id % len(partners)].id
            if (vehicle_id, partner) not in seen:
                yield (vehicle_id, partner)
    for pair in sorted(reach.others):
        if pair not in seen:
            yield pair
