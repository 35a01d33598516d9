"""gateway: routes HTTP calls to the services over RPC. No rules live here."""
import json

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from contracts import jsonschema
from contracts.api import ContractListSchema, HealthSchema
from contracts.communication import CommunicationSchema
from contracts.customer import (
    CheckResultSchema, CustomerCheckSchema, CustomerCreateSchema, CustomerListQuerySchema, CustomerPageSchema,
    CustomerSchema, CustomerUpdateSchema, GroupLeaveSchema, GroupLinkSchema, GroupViewSchema, MergeRequestSchema,
    TimelinePageSchema,
)
from contracts.deals import OrderSchema, QuoteSchema, SampleSchema, StageChangeSchema
from contracts.errors import InvalidInput, NotFound
from contracts.handoff import ChecklistSchema
from contracts.inquiry import InquiryListQuerySchema, InquiryPageSchema, InquiryRecordSchema, InquirySchema, SubmissionSchema
from contracts.ownership import OwnershipSchema
from contracts.paging import PageQuerySchema
from contracts.pool import (
    ClaimSchema, CollaboratorSchema, ContactStatusListSchema, ContactStatusQuerySchema, LeavingSchema, PoolPageSchema,
    PoolQuerySchema, ReactivateSchema, ReassignmentSchema, RejectedPageSchema, RejectSchema, ReleaseSchema,
    SalespeopleSchema, SalespersonSchema, SalespersonUpdateSchema, SweepResultSchema, SweepSchema, WeightsSchema,
)
from contracts.reminder import ReminderListQuerySchema, ReminderPageSchema
from services.gateway import openapi
from services.gateway.http import ServiceUnavailable, error_response, json_route
from services.gateway.settings import GatewaySettingsSchema
from services.runtime.settings import Settings

# Headers an integration may use to make a retried POST harmless.
IDEMPOTENCY_HEADERS = ("Idempotency-Key", "X-Message-Id")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class GatewayService:
    name = "gateway"

    intake = RpcProxy("intake")
    profile = RpcProxy("profile")
    handoff = RpcProxy("handoff")
    pool = RpcProxy("pool")
    notification = RpcProxy("notification")
    settings = Settings("gateway", GatewaySettingsSchema)

    @json_route("GET", "/health", summary="Liveness of the gateway", returns=HealthSchema, tag="system")
    def health(self, request):
        return {"status": "ok"}

    # --- customers (profile) --------------------------------------------------------------

    @json_route("GET", "/customers", summary="List customer archives", query=CustomerListQuerySchema,
                returns=CustomerPageSchema, tag="customers")
    def list_customers(self, request):
        """``email`` is matched after normalisation; the newest archives come first."""
        return self._call("profile", "list_customers", _query(request))

    @json_route("POST", "/customers", summary="File a customer by hand", body=CustomerCreateSchema,
                returns=CustomerSchema, status=201, tag="customers")
    def create_customer(self, request):
        """The creator owns it. 409 names the owner (or the pool) when any key or a near-identical
        name matches an existing customer. ``Idempotency-Key`` makes a retry harmless."""
        return 201, self._call("profile", "create_customer", _json_body(request), key=_idempotency_key(request))

    @json_route("GET", "/customers/check", summary="Check before create: likely existing customers",
                query=CustomerCheckSchema, returns=CheckResultSchema, tag="customers")
    def check_before_create(self, request):
        return self._call("profile", "check_before_create", _query(request))

    @json_route("GET", "/customers/<customer_id>", summary="One customer archive", returns=CustomerSchema,
                tag="customers")
    def get_customer(self, request, customer_id):
        return self._call("profile", "get_customer", customer_id)

    @json_route("PATCH", "/customers/<customer_id>", summary="Correct or complete an archive by hand",
                body=CustomerUpdateSchema, returns=CustomerSchema, tag="customers")
    def update_customer(self, request, customer_id):
        return self._call("profile", "update_customer", customer_id, _json_body(request))

    @json_route("GET", "/customers/<customer_id>/timeline", summary="The customer's history in order",
                query=PageQuerySchema, returns=TimelinePageSchema, tag="customers")
    def get_timeline(self, request, customer_id):
        return self._call("profile", "get_timeline", customer_id, _query(request))

    @json_route("POST", "/customers/<customer_id>/communications", summary="Record a contact (notes convention)",
                body=CommunicationSchema, returns=CustomerSchema, status=201, tag="customers")
    def record_communication(self, request, customer_id):
        """Lines starting 【特殊】 become special requirements. ``Idempotency-Key`` honoured."""
        return 201, self._call("profile", "record_communication", customer_id, _json_body(request),
                               record_id=_idempotency_key(request))

    @json_route("POST", "/customers/<customer_id>/quotes", summary="Record a quote", body=QuoteSchema,
                returns=CustomerSchema, status=201, tag="customers")
    def record_quote(self, request, customer_id):
        return 201, self._deal_step(request, customer_id, "quotes")

    @json_route("POST", "/customers/<customer_id>/samples", summary="Record a sample sent", body=SampleSchema,
                returns=CustomerSchema, status=201, tag="customers")
    def record_sample(self, request, customer_id):
        return 201, self._deal_step(request, customer_id, "samples")

    @json_route("POST", "/customers/<customer_id>/orders", summary="Record an order", body=OrderSchema,
                returns=CustomerSchema, status=201, tag="customers")
    def record_order(self, request, customer_id):
        return 201, self._deal_step(request, customer_id, "orders")

    @json_route("PUT", "/customers/<customer_id>/stage", summary="Change the customer's stage",
                body=StageChangeSchema, returns=CustomerSchema, tag="customers")
    def change_stage(self, request, customer_id):
        return self._call("profile", "change_stage", customer_id, _json_body(request))

    @json_route("POST", "/customers/<customer_id>/merge", summary="Merge a duplicate into this archive",
                body=MergeRequestSchema, returns=CustomerSchema, tag="customers")
    def merge_customers(self, request, customer_id):
        """Contacts, communications and timeline are kept and the merge recorded; intake and pool follow."""
        return self._call("profile", "merge_customers", customer_id, _json_body(request))

    @json_route("GET", "/customers/<customer_id>/group", summary="The customer's group and its members",
                returns=GroupViewSchema, tag="customers")
    def get_group(self, request, customer_id):
        return self._call("profile", "get_group", customer_id)

    @json_route("POST", "/customers/<customer_id>/group", summary="Link another archive into this one's group",
                body=GroupLinkSchema, returns=GroupViewSchema, tag="customers")
    def link_group(self, request, customer_id):
        return self._call("profile", "link_group", customer_id, _json_body(request))

    @json_route("DELETE", "/customers/<customer_id>/group", summary="Take the customer out of its group",
                body=GroupLeaveSchema, returns=GroupViewSchema, tag="customers")
    def leave_group(self, request, customer_id):
        return self._call("profile", "leave_group", customer_id, _json_body(request))

    # --- the public pool (pool) -----------------------------------------------------------

    @json_route("GET", "/customers/<customer_id>/owner", summary="The customer's place in the pool",
                returns=OwnershipSchema, tag="pool")
    def get_owner(self, request, customer_id):
        return self._call("pool", "get_owner", customer_id)

    @json_route("POST", "/customers/<customer_id>/claim", summary="Claim a customer from the pool",
                body=ClaimSchema, returns=OwnershipSchema, tag="pool")
    def claim(self, request, customer_id):
        """409 names the winner of a race, or the limit reached and when it resets."""
        return self._call("pool", "claim", customer_id, _json_body(request))

    @json_route("POST", "/customers/<customer_id>/release", summary="Give a customer back to the public pool",
                body=ReleaseSchema, returns=OwnershipSchema, tag="pool")
    def release(self, request, customer_id):
        """The releaser cannot claim it back for the protection period."""
        return self._call("pool", "release", customer_id, _json_body(request))

    @json_route("POST", "/customers/<customer_id>/reject", summary="Reject a customer (do not contact)",
                body=RejectSchema, returns=OwnershipSchema, tag="pool")
    def reject(self, request, customer_id):
        return self._call("pool", "reject", customer_id, _json_body(request))

    @json_route("POST", "/customers/<customer_id>/reactivate", summary="Bring a rejected or dormant customer back",
                body=ReactivateSchema, returns=OwnershipSchema, tag="pool")
    def reactivate(self, request, customer_id):
        return self._call("pool", "reactivate", customer_id, _json_body(request))

    @json_route("PUT", "/customers/<customer_id>/collaborators/<user>", summary="Name a collaborator",
                body=CollaboratorSchema, returns=OwnershipSchema, tag="pool")
    def add_collaborator(self, request, customer_id, user):
        return self._call("pool", "set_collaborator", customer_id, {**_json_body(request), "user": user})

    @json_route("DELETE", "/customers/<customer_id>/collaborators/<user>", summary="Remove a collaborator",
                body=CollaboratorSchema, returns=OwnershipSchema, tag="pool")
    def remove_collaborator(self, request, customer_id, user):
        return self._call("pool", "set_collaborator", customer_id, {**_json_body(request), "user": user},
                          present=False)

    @json_route("GET", "/pool", summary="Search the public pool, the dormant pool or the rejected list",
                query=PoolQuerySchema, returns=PoolPageSchema, tag="pool")
    def search_pool(self, request):
        """``reason`` matches the start of why a customer is where it is (released, recycled…)."""
        return self._call("pool", "search_pool", _query(request))

    @json_route("GET", "/pool/rejected", summary="The monthly review of rejected customers",
                query=PageQuerySchema, returns=RejectedPageSchema, tag="pool")
    def rejected_for_review(self, request):
        return self._call("pool", "rejected_for_review", _query(request))

    @json_route("POST", "/pool/contact-status", summary="Which customers must not be contacted",
                body=ContactStatusQuerySchema, returns=ContactStatusListSchema, tag="pool")
    def contact_status(self, request):
        return self._call("pool", "contact_status", _json_body(request))

    @json_route("POST", "/pool/sweep", summary="Run the recycling sweep now", body=SweepSchema,
                returns=SweepResultSchema, tag="pool")
    def run_sweep(self, request):
        return self._call("pool", "run_sweep", _json_body(request).get("now"))

    @json_route("GET", "/salespeople", summary="The people allocation serves", returns=SalespeopleSchema,
                tag="pool")
    def list_salespeople(self, request):
        return self._call("pool", "list_salespeople")

    @json_route("PATCH", "/salespeople/<person_id>", summary="Set leave, a weight override, markets, grades, role",
                body=SalespersonUpdateSchema, returns=SalespersonSchema, tag="pool")
    def update_salesperson(self, request, person_id):
        return self._call("pool", "update_salesperson", person_id, _json_body(request))

    @json_route("POST", "/salespeople/<person_id>/leaving", summary="Reassign a leaver's customers",
                body=LeavingSchema, returns=ReassignmentSchema, status=201, tag="pool")
    def salesperson_leaves(self, request, person_id):
        return 201, self._call("pool", "salesperson_leaves", person_id, _json_body(request))

    @json_route("GET", "/reassignments/<reassignment_id>", summary="What went where when someone left",
                returns=ReassignmentSchema, tag="pool")
    def get_reassignment(self, request, reassignment_id):
        return self._call("pool", "get_reassignment", reassignment_id)

    @json_route("POST", "/salespeople/weights", summary="Recompute weights from conversion now",
                returns=WeightsSchema, tag="pool")
    def recompute_weights(self, request):
        return self._call("pool", "recompute_weights")

    # --- handoffs ---------------------------------------------------------------------------

    @json_route("GET", "/customers/<customer_id>/checklists/<kind>", summary="Evaluate a handoff checklist",
                returns=ChecklistSchema, tag="handoffs")
    def evaluate_checklist(self, request, customer_id, kind):
        """Every item with pass or fail and the reason."""
        return self._call("handoff", "evaluate_checklist", kind, customer_id)

    # --- reminders --------------------------------------------------------------------------

    @json_route("GET", "/users/<user_id>/reminders", summary="A user's reminders, soonest first",
                query=ReminderListQuerySchema, returns=ReminderPageSchema, tag="reminders")
    def list_reminders(self, request, user_id):
        return self._call("notification", "list_reminders", user_id, _query(request))

    # --- inquiries (intake) ---------------------------------------------------------------

    @json_route("GET", "/inquiries", summary="Stored inquiries with their outcome", query=InquiryListQuerySchema,
                returns=InquiryPageSchema, tag="inquiries")
    def list_inquiries(self, request):
        """Rejected ones carry their raw body and field errors."""
        return self._call("intake", "list_inquiries", _query(request))

    @json_route("GET", "/inquiries/<inquiry_id>", summary="One stored inquiry", returns=InquiryRecordSchema,
                tag="inquiries")
    def get_inquiry(self, request, inquiry_id):
        return self._call("intake", "get_inquiry", inquiry_id)

    @json_route("POST", "/inquiries", summary="Submit an inquiry", body=InquirySchema, returns=SubmissionSchema,
                status=202, tag="inquiries")
    def submit_inquiry(self, request):
        """202 accepted, 200 for a message id seen before (``Idempotency-Key``), 422 rejected with
        its field errors — and kept."""
        return self._submit(request, request.get_data(as_text=True), channel=None)

    @json_route("POST", "/channels/<channel>/inquiries", summary="Submit a channel's own payload",
                returns=SubmissionSchema, status=202, tag="inquiries")
    def submit_channel_inquiry(self, request, channel):
        """JSON or form-encoded, translated by the channel's connector plugin."""
        if request.mimetype in FORM_TYPES:
            body = json.dumps(request.form.to_dict(), ensure_ascii=False)
        else:
            body = request.get_data(as_text=True)
        return self._submit(request, body, channel=channel)

    # --- contracts and the API's own description --------------------------------------------

    @json_route("GET", "/contracts", summary="The published JSON Schemas", returns=ContractListSchema,
                tag="system")
    def list_contracts(self, request):
        return {"contracts": sorted(jsonschema.PUBLISHED)}

    @json_route("GET", "/contracts/<name>", summary="One published JSON Schema", tag="system")
    def get_contract(self, request, name):
        if name not in jsonschema.PUBLISHED:
            raise NotFound.of("contract", name)
        return jsonschema.to_json_schema(jsonschema.PUBLISHED[name])

    @json_route("GET", "/openapi.json", summary="This API as an OpenAPI 3.1 document", tag="system")
    def openapi_document(self, request):
        return openapi.document(type(self))

    @json_route("GET", "/docs", summary="Interactive API documentation", tag="system")
    def docs_page(self, request):
        return openapi.docs_page()

    def _deal_step(self, request, customer_id, kind):
        return self._call("profile", "record_deal_step", customer_id, kind, _json_body(request),
                          record_id=_idempotency_key(request))

    def _submit(self, request, body, channel):
        message_id = _idempotency_key(request)
        outcome = self._call("intake", "submit_inquiry", body, message_id=message_id, channel=channel)
        if outcome["status"] == "rejected":
            return error_response("invalid_input", "The inquiry was rejected and stored with its errors.",
                                  {"fields": outcome["errors"], "inquiry_id": outcome["id"]}, status=422)
        return (200 if outcome["duplicate"] else 202), outcome

    def _call(self, service, method, *args, **kwargs):
        timeout = self.settings["rpc_timeout_seconds"]
        try:
            with eventlet.Timeout(timeout, ServiceUnavailable(
                    f"The {service} service did not answer within {timeout:g} s.", {"service": service})):
                return getattr(getattr(self, service), method)(*args, **kwargs)
        except UnknownService:
            raise ServiceUnavailable(f"The {service} service is not running.", {"service": service}) from None


def _query(request):
    return request.args.to_dict()


def _idempotency_key(request):
    return next((request.headers[h] for h in IDEMPOTENCY_HEADERS if h in request.headers), None)


def _json_body(request):
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The body is not valid JSON: {exc.msg}.", {"fields": {"_body": [exc.msg]}}) from exc
    if not isinstance(body, dict):
        raise InvalidInput("Expected a JSON object.", {"fields": {"_body": ["Expected a JSON object."]}})
    return body
