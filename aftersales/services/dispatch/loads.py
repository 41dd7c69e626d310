"""The bays already booked in the run's window, as far as the planner knows them."""

import datetime as dt

from stores import capacity

from .network import RESOURCE, Network, Place


class Loads:
    """Booked bays per (store, slot) as read at the start of a chunk, updated as we book."""

    def __init__(self, network: Network, store_ids: set[int]):
        self.network = network
        self.booked: dict[tuple[int, dt.datetime], int] = {}
        self.loaded: set[int] = set()
        self.ensure(store_ids)

    def ensure(self, store_ids) -> None:
        """Read the window's loads of the stores not read yet, in one query."""
        missing = set(store_ids) - self.loaded
        if missing and self.network.window:
            window = self.network.window
            self.booked.update(capacity.booked_in_range(missing, window[0], window[-1], RESOURCE))
        self.loaded |= missing

    def first_free(self, place: Place) -> dt.datetime | None:
        for start in self.network.open_hours(place):
            if self.booked.get((place.pk, start), 0) < place.bays:
                return start
        return None

    def taken(self, place: Place, start: dt.datetime) -> None:
        self.booked[(place.pk, start)] = self.booked.get((place.pk, start), 0) + 1

    def refresh(self, keys: list[tuple[int, dt.datetime]]) -> None:
        """Re-read slots whose take failed: someone else booked there meanwhile."""
        fresh = capacity.booked_in_slots({k[0] for k in keys}, list({k[1] for k in keys}), RESOURCE)
        for key in keys:
            self.booked[key] = fresh.get(key, 0)
