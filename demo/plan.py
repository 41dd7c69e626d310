"""How much `seed_demo` loads at each scale."""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Plan:
    scale: str
    service_stores: int
    partner_stores: int
    staffed_store_share: float  # service stores with a manager and staff
    staff_per_store: float  # besides the manager, on average
    customers: int
    vehicles: int
    orders: int
    test_drives: int
    tickets: int
    history_days: int  # how far back deliveries and work go

    def scaled(self, fraction: float) -> "Plan":
        """A smaller plan of the same shape (tests); at least one store of each kind per province."""
        if fraction >= 1:
            return self

        def part(n: int, least: int = 1) -> int:
            return max(round(n * fraction), least)

        return replace(
            self,
            service_stores=part(self.service_stores, 31),
            partner_stores=part(self.partner_stores, 31),
            customers=part(self.customers, 50),
            vehicles=part(self.vehicles, 60),
            orders=part(self.orders, 10),
            test_drives=part(self.test_drives, 20),
            tickets=part(self.tickets, 40),
        )


SMALL = Plan(
    scale="small",
    service_stores=3_000,
    partner_stores=40_000,
    staffed_store_share=0.1,
    staff_per_store=2,
    customers=12_000,
    vehicles=18_000,
    orders=2_000,
    test_drives=4_000,
    tickets=10_000,
    history_days=730,
)

# 3,000 managers and 17,000 staff: 20,000 store people.
FULL = Plan(
    scale="full",
    service_stores=3_000,
    partner_stores=40_000,
    staffed_store_share=1.0,
    staff_per_store=17_000 / 3_000,
    customers=1_000_000,
    vehicles=1_000_000,
    orders=200_000,
    test_drives=500_000,
    tickets=2_000_000,
    history_days=1_095,
)

PLANS = {"small": SMALL, "full": FULL}
