from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import broker_status


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 with {"database": "ok", "broker": "ok"|"eager"}; 503 naming what is down."""
    body = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        body["database"] = "ok"
    except Exception:  # noqa: BLE001  (any failure means the database is down)
        body["database"] = "down"
    body["broker"] = broker_status()
    healthy = body["database"] == "ok" and body["broker"] in ("ok", "eager")
    return JsonResponse(body, status=200 if healthy else 503)
