from core.feeds.command import FeedCommand
from stores.feeds import StoreFeed


class Command(FeedCommand):
    help = "Sync the store network from a stores CSV file (CONTRACT 3.1)."
    feed_class = StoreFeed
