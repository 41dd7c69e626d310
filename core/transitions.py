"""Status machines as small tables: one row per allowed move, (from, to, who, guard).

Each model keeps its table next to its status choices (`Ticket.MACHINE`, `Order.MACHINE`,
`TestDrive.MACHINE`). `who` names an action of the policy (stores.policy) that decides whether
the actor may make the move; `guard` looks at the record and returns why the move cannot be
made now (or None). Both the buttons a page offers and the services' checks derive from the
table through stores.policy.allowed_moves / stores.policy.require_move: nothing else decides
whether a status may change.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

Guard = Callable[[object], str | None]


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    who: str  # a stores.policy action, e.g. "ticket.cancel"
    name: str = ""  # the button's name when it is not the target status ("deallocate")
    guard: Guard | None = None

    @property
    def key(self) -> str:
        return self.name or self.target

    def refusal(self, obj) -> str | None:
        """Why the record cannot make this move now, or None."""
        return self.guard(obj) if self.guard is not None else None


class Machine:
    """The transition table of one model's `status` field."""

    def __init__(self, transitions: Iterable[Transition]):
        self.transitions = tuple(transitions)
        for attr in ("key", "target"):
            pairs = [(t.source, getattr(t, attr)) for t in self.transitions]
            if len(pairs) != len(set(pairs)):
                raise ValueError(f"Two moves from one status share a {attr}.")

    def moves_from(self, status: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == status]

    def find(self, status: str, key: str) -> Transition | None:
        """The move from `status` named `key`: its button name, or its target status."""
        moves = self.moves_from(status)
        return next((t for t in moves if t.key == key), None) or next((t for t in moves if t.target == key), None)

    def targets(self, status: str) -> set[str]:
        return {t.target for t in self.moves_from(status)}

    def is_final(self, status: str) -> bool:
        return not self.moves_from(status)
