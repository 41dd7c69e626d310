"""Creating and booking scheduled maintenance work (CONTRACT 4, `schedule_maintenance`).

For each due vehicle: one maintenance ticket per due point (source `schedule`), booked in a slot
starting within 168 hours after the run, at the vehicle's store (its last maintenance store, else
its delivering store) when that store can take it; else at the nearest other store that can,
within 50 km of the vehicle's store, service stores preferred over partner shops at similar
distance; else left unassigned (no store, the store's province) for the regional manager.

Built for 100,000 due vehicles over 43,000 stores: the network's candidate stores are loaded once
per run and searched in memory, a chunk's slot loads are read in one query, and tickets, events,
reach rows and notifications are written in bulk. Booking stays the database's decision: each
unit is taken with the atomic conditional UPDATE of stores.capacity, in (store, slot) order inside
a short transaction that also writes the tickets, so capacity and tickets always agree, two
workers never deadlock on slot rows, and a kill loses nothing committed and leaves nothing half
done. Running twice creates nothing twice (ticket_unique_due_point, one open scheduled
maintenance per vehicle; inserts skip conflicts and give back their bays).

One job per module:

- `network`: the in-memory network of the run (stores that can take the work, by distance);
- `loads`: the bays already booked, as far as the planner knows;
- `planner`: the store and slot for each vehicle, and the note that explains it;
- `writer`: a batch booked and written in one transaction;
- `numbering`: ticket numbers, a block at a time;
- `messages`: the customer's SMS;
- `chunk`: one chunk of vehicles, the unit of work of a Celery task;
- `manual`: placing unassigned work by hand.
"""

from .chunk import schedule_chunk
from .manual import capability_for, ticket_assign_store
from .messages import booking_confirmation
from .network import Network

__all__ = ["Network", "booking_confirmation", "capability_for", "schedule_chunk", "ticket_assign_store"]
