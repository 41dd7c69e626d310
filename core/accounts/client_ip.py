"""The client's address: REMOTE_ADDR, or behind trusted proxies the address the nearest one saw.

Each proxy appends the address it received the request from to X-Forwarded-For; entries further
left come from the client and may be forged. With TRUSTED_PROXY_COUNT = N proxies in front of the
portal, the client is the N-th entry from the right. A request with fewer entries did not come
through the proxies: its REMOTE_ADDR is the client.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-count] if len(forwarded) >= count else remote
