"""Locust users for bench/load.py: store staff at work (run by bench/load.py, not by hand).

Each user takes one prepared session (BENCH_LOAD_USERS, a JSON list written by bench/load.py):
its store's code and some of its open tickets. POSTs send the CSRF token from the cookie the
pages set, and do not follow the redirect (the POST itself is what is timed).
"""

import datetime as dt
import itertools
import json
import os
import random

from locust import HttpUser, between, task

PREPARED = json.loads(open(os.environ["BENCH_LOAD_USERS"], encoding="utf-8").read())  # noqa: SIM115
_next = itertools.count()
MODELS = ["GNC-A5", "GNC-S7"]


class StoreStaff(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        me = PREPARED[next(_next) % len(PREPARED)]
        self.store = me["store"]
        self.tickets = me["tickets"] or [None]
        self.client.cookies.set("sessionid", me["session"])
        self.client.get("/aftersales/tickets/", name="/aftersales/tickets/ (queue)")

    def _ticket(self) -> str | None:
        return random.choice(self.tickets)

    def _post(self, url: str, data: dict, name: str) -> None:
        token = self.client.cookies.get("csrftoken", "")
        data = {"csrfmiddlewaretoken": token, **data}
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, headers={"X-CSRFToken": token}, catch_response=True
        ) as response:
            if response.status_code in (200, 302, 303):
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")

    @task(4)
    def queue(self):
        page = random.choice(["", "?page=2", "?sort=due"])
        self.client.get(f"/aftersales/tickets/{page}", name="/aftersales/tickets/ (queue)")

    @task(4)
    def open_ticket(self):
        number = self._ticket()
        if number:
            self.client.get(f"/aftersales/tickets/{number}/", name="/aftersales/tickets/[number]/")

    @task(2)
    def test_drive_day(self):
        self.client.get(f"/sales/test-drives/day/?store={self.store}", name="/sales/test-drives/day/")

    @task(1)
    def dashboard(self):
        self.client.get("/", name="/ (dashboard)")

    @task(1)
    def comment(self):
        number = self._ticket()
        if number:
            self.client.get(f"/aftersales/tickets/{number}/", name="/aftersales/tickets/[number]/")
            self._post(
                f"/aftersales/tickets/{number}/comment/",
                {"message": "Load test: customer called, parts on the way."},
                "/aftersales/tickets/[number]/comment/ POST",
            )

    @task(1)
    def book_test_drive(self):
        self.client.get("/sales/test-drives/new/", name="/sales/test-drives/new/")
        day = dt.date.today() + dt.timedelta(days=random.randint(2, 20))
        self._post(
            "/sales/test-drives/new/",
            {
                "customer_name": "压测客户",
                "customer_phone": f"139{random.randint(0, 99_999_999):08d}",
                "model": random.choice(MODELS),
                "slot": f"{day.isoformat()} {random.randint(10, 16):02d}:00",
                "store": self.store,
            },
            "/sales/test-drives/new/ POST",
        )
