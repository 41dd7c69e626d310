from core.feeds.command import FeedCommand
from sales.feeds import VehicleFeed


class Command(FeedCommand):
    help = "Sync vehicles by VIN from a vehicles CSV file (CONTRACT 3.3)."
    feed_class = VehicleFeed
