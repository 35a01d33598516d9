"""In-memory stores behind the same interface as the services' real ``store.py`` classes, for fast
tests of the application functions (``tests/unit/test_*_application.py``); the integration tests
run the same functions over the real broker and document store."""

from tests.fakes.documents import Documents, RecordingAudit
from tests.fakes.handoff import FakeHandoffs
from tests.fakes.notification import FakeOutbox, FakeRecipients, FakeReminders, FakeSchedule
from tests.fakes.peers import FakePlugins, FakePool, FakeProfile

__all__ = [
    "Documents",
    "FakeHandoffs",
    "FakeOutbox",
    "FakePlugins",
    "FakePool",
    "FakeProfile",
    "FakeRecipients",
    "FakeReminders",
    "FakeSchedule",
    "RecordingAudit",
]
