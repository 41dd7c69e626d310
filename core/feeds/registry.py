"""The feeds the portal knows, registered by the apps that own them (from their AppConfig.ready).

Each feed class says its own name, label and place in the nightly order; core names none of them.
`FeedRun.feed` takes its choices from here, so a new feed needs no change (and no migration) in core.
"""

from .base import Feed

_FEEDS: dict[str, type[Feed]] = {}


def register(feed_class: type[Feed]) -> type[Feed]:
    _FEEDS[feed_class.name] = feed_class
    return feed_class


def unregister(feed_class: type[Feed]) -> None:
    _FEEDS.pop(feed_class.name, None)


def registered() -> list[type[Feed]]:
    """The feeds in the order sync_feeds runs them: what others refer to comes first."""
    return sorted(_FEEDS.values(), key=lambda f: (f.order, f.name))


def get(name: str) -> type[Feed]:
    return _FEEDS[name]


def feed_choices() -> list[tuple[str, str]]:
    """The choices of FeedRun.feed (a callable, so that Django reads them when it needs them)."""
    return [(feed.name, feed.label) for feed in registered()]
