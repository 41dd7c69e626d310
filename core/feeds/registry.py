"""The feeds the portal knows, registered by the apps that own them (from their AppConfig.ready)."""

from .base import Feed

# The order sync_feeds runs them in: the catalogue and the stores before what refers to them.
ORDER = ("models", "stores", "staff", "vehicles")

_FEEDS: dict[str, type[Feed]] = {}


def register(feed_class: type[Feed]) -> type[Feed]:
    _FEEDS[feed_class.name] = feed_class
    return feed_class


def registered() -> list[type[Feed]]:
    return sorted(_FEEDS.values(), key=lambda f: ORDER.index(f.name) if f.name in ORDER else len(ORDER))


def get(name: str) -> type[Feed]:
    return _FEEDS[name]
