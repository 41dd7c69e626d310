from core.feeds.command import FeedCommand
from sales.feeds import CatalogueFeed


class Command(FeedCommand):
    help = "Sync the car catalogue from a models CSV file (CONTRACT 3.4)."
    feed_class = CatalogueFeed
