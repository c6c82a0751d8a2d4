"""Notifications: the mall's facts told to the people they concern, in their inbox and on
the channels they chose, in their language.

One nameko service composed of its concerns (nameko collects entrypoints from the class
and its bases):

- ``reactions``: the events of licensing, the queue, the civil registry, regional tax and
  the agency modules, each made into notifications once;
- ``reminders``: notifications due later (bookings, permits' expiry, tax due days),
  sent once by whichever instance takes them;
- ``inbox``: a citizen's or an agency's inbox, read marks, a citizen's settings;
- ``deliveries``: the timer that sends what is due by email (SMTP) or an SMS gateway's
  webhook, with retries (``channels``: the ways out).
"""

from nameko.dependency_providers import Config

from chassis.database import Database
from chassis.now import Clock
from chassis.service import MallService
from services.notifications.deliveries import Deliveries
from services.notifications.inbox import Inbox
from services.notifications.models import ProcessedEvent, RecordedReply
from services.notifications.reactions import ModuleReactions, Reactions
from services.notifications.reminders import Reminders


class NotificationsService(Reactions, ModuleReactions, Reminders, Inbox, Deliveries, MallService):
    name = "notifications"
    db = Database(inbox=ProcessedEvent, replies=RecordedReply)
    config = Config()
    clock = Clock()  # when a notification was made and read; a test may set it
