"""handoff: evaluates the checklist a customer must pass before a department takes it over."""
from dataclasses import asdict

from nameko.rpc import RpcProxy, rpc

from contracts.errors import EXPECTED_ERRORS, NotFound
from contracts.handoff import ChecklistSchema
from services.handoff.domain.checklists import CHECKLISTS
from services.handoff.settings import HandoffSettingsSchema
from services.runtime.settings import Settings


class HandoffService:
    name = "handoff"

    profile = RpcProxy("profile")
    policy = Settings("handoff", HandoffSettingsSchema)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def evaluate_checklist(self, kind, customer_id):
        if kind not in CHECKLISTS:
            raise NotFound.of("checklist", kind)
        archive = self.profile.get_customer(customer_id)
        items = CHECKLISTS[kind](archive, self.policy)
        return ChecklistSchema().dump({"kind": kind, "customer_id": customer_id,
                                       "passed": all(i.passed for i in items), "items": [asdict(i) for i in items]})
