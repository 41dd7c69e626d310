"""Apps register their feeds, names, labels and order included: core names none of them."""

import pytest

from core.feeds import registry
from core.feeds.base import Feed
from core.models import FeedRun


@pytest.fixture
def parts_feed():
    class PartsFeed(Feed):
        name = "parts"
        label = "Parts"
        order = 15  # after the catalogue, before the stores
        file_glob = "parts*.csv"

    registry.register(PartsFeed)
    yield PartsFeed
    registry.unregister(PartsFeed)


def test_a_registered_feed_is_a_choice_of_the_feed_run_record(parts_feed):
    choices = dict(FeedRun._meta.get_field("feed").choices)
    assert choices["parts"] == "Parts"
    assert {"models", "stores", "staff", "vehicles"} <= set(choices)


def test_feeds_run_in_the_order_their_apps_give(parts_feed):
    assert [f.name for f in registry.registered()] == ["models", "parts", "stores", "staff", "vehicles"]


def test_an_unregistered_feed_is_no_longer_a_choice(parts_feed):
    registry.unregister(parts_feed)
    assert "parts" not in dict(FeedRun._meta.get_field("feed").choices)
    registry.register(parts_feed)
