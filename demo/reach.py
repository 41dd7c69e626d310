"""Which stores hold work for each vehicle (VehicleReach), as the ticket generator records it."""

from dataclasses import dataclass, field

from .activity import Fleet
from .context import Context

REACH_COLUMNS = ("vehicle_id", "store_id")


@dataclass
class Reach:
    """Stores holding work per vehicle: two flags (home store, usual partner) and a set for the rest."""

    flags: bytearray
    others: set = field(default_factory=set)


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
