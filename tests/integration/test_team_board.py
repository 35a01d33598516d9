"""The team board through the real gateway: per salesperson, the figures notification, handoff and
pool answer, merged — and asked as the caller, so a manager sees what each service lets them."""

import json

import pytest

from deploy.docstore import free_port
from services.gateway.service import GatewayService
from services.handoff.service import HandoffService
from services.intake.service import IntakeService
from services.notification.service import NotificationService
from services.pool.service import PoolService
from services.profile.service import ProfileService
from tests.integration.helpers import ApiClient, canonical_inquiry, provision, start_downstream_of, started, wait_for


@pytest.fixture
def gateway(container_factory, config):
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{free_port()}"
    start_downstream_of(container_factory, config, "intake", "profile", "pool", "notification", "handoff")
    gateway = started(container_factory, GatewayService, config)
    for service in (IntakeService, ProfileService, PoolService, NotificationService, HandoffService):
        started(container_factory, service, config)
    return gateway


def test_each_salesperson_with_open_reminders_handoffs_waiting_and_claims(gateway, config):
    base = f"http://{config['WEB_SERVER_ADDRESS']}"
    admin = ApiClient(base, provision(gateway, "root", "admin"))
    posted = admin.post(
        "/inquiries", data=json.dumps(canonical_inquiry(email="buyer@board.de")), headers={"X-Message-Id": "board-1"}
    )
    assert posted.status_code == 202, posted.text
    owner = wait_for(
        lambda: admin.get("/customers", params={"email": "buyer@board.de"}).json()["items"][0]["owner_id"],
        timeout=30,
        what="the customer allocated",
    )
    board = wait_for(
        lambda: (
            (b := admin.get("/team-board").json())
            and any(p["user_id"] == owner and p["open_reminders"] for p in b["items"])
            and b
        ),
        timeout=30,
        what="the owner's first touch on the board",
    )
    salespeople = admin.get("/salespeople").json()["items"]
    assert [p["user_id"] for p in board["items"]] == [p["id"] for p in salespeople if p["active"]]
    mine = next(p for p in board["items"] if p["user_id"] == owner)
    assert mine["open_reminders"] == admin.get(f"/users/{owner}/reminders").json()["total"] >= 1
    assert mine["overdue_reminders"] == 0 and mine["handoffs_waiting"] == 0  # the first touch is due in days
    assert mine["claims"] == admin.get(f"/users/{owner}/claims").json()
    assert mine["claims"]["held"] == 1

    team = admin.get("/team-board", params={"team": "nobody-here"})
    assert team.status_code == 200 and team.json() == {"items": []}
    assert admin.get("/team-board", params={"teem": "x"}).status_code == 400
    seller = ApiClient(base, provision(gateway, "sally", "member", "sales", "default"))
    assert seller.get("/team-board").status_code == 403
