from django.conf import settings


def broker_status() -> str:
    """ "eager" when jobs run in-process, "ok" when Redis answers a PING, "down" otherwise."""
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return "ok"
    except redis.RedisError:
        return "down"
