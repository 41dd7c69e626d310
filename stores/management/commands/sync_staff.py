from core.feeds.command import FeedCommand
from stores.feeds import StaffFeed


class Command(FeedCommand):
    help = "Sync the staff roster from a staff CSV file (CONTRACT 3.2)."
    feed_class = StaffFeed
