"""`python manage.py demo_logins`: the demo users, one per role, and where to log in."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from demo.network import DEMO_LOGINS, DEMO_PASSWORD

URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = "Print the demo logins (one per role) and the portal's address."

    def handle(self, *args, **options):
        present = set(
            get_user_model()
            .objects.filter(username__in=[u for u, *_ in DEMO_LOGINS])
            .values_list("username", flat=True)
        )
        self.stdout.write(f"Goodcar portal: {URL}  (demo logins, password for all: {DEMO_PASSWORD})")
        for username, role, what in DEMO_LOGINS:
            missing = "" if username in present else "  [missing: run `manage.py seed_demo`]"
            label = role or "superuser"
            self.stdout.write(f"  {label:<9}  username: {username:<9} password: {DEMO_PASSWORD}   {what}{missing}")
