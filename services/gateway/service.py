"""gateway: routes HTTP calls to the services over RPC. No rules live here."""
import json

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from contracts import jsonschema
from contracts.errors import InvalidInput, NotFound
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

    @json_route("GET", "/health")
    def health(self, request):
        return {"status": "ok"}

    # customers
    @json_route("GET", "/customers")
    def list_customers(self, request):
        return self._call("profile", "list_customers", _query(request))

    @json_route("POST", "/customers")
    def create_customer(self, request):
        return 201, self._call("profile", "create_customer", _json_body(request), key=_idempotency_key(request))

    @json_route("GET", "/customers/check")
    def check_before_create(self, request):
        return self._call("profile", "check_before_create", _query(request))

    @json_route("GET", "/customers/<customer_id>")
    def get_customer(self, request, customer_id):
        return self._call("profile", "get_customer", customer_id)

    @json_route("GET", "/customers/<customer_id>/timeline")
    def get_timeline(self, request, customer_id):
        return self._call("profile", "get_timeline", customer_id, _query(request))

    @json_route("POST", "/customers/<customer_id>/communications")
    def record_communication(self, request, customer_id):
        return 201, self._call("profile", "record_communication", customer_id, _json_body(request),
                               record_id=_idempotency_key(request))

    @json_route("POST", "/customers/<customer_id>/merge")
    def merge_customers(self, request, customer_id):
        return self._call("profile", "merge_customers", customer_id, _json_body(request))

    @json_route("PATCH", "/customers/<customer_id>")
    def update_customer(self, request, customer_id):
        return self._call("profile", "update_customer", customer_id, _json_body(request))

    @json_route("POST", "/customers/<customer_id>/<any(quotes, samples, orders):kind>")
    def record_deal_step(self, request, customer_id, kind):
        return 201, self._call("profile", "record_deal_step", customer_id, kind, _json_body(request),
                               record_id=_idempotency_key(request))

    @json_route("PUT", "/customers/<customer_id>/stage")
    def change_stage(self, request, customer_id):
        return self._call("profile", "change_stage", customer_id, _json_body(request))

    @json_route("GET", "/customers/<customer_id>/group")
    def get_group(self, request, customer_id):
        return self._call("profile", "get_group", customer_id)

    @json_route("POST", "/customers/<customer_id>/group")
    def link_group(self, request, customer_id):
        return self._call("profile", "link_group", customer_id, _json_body(request))

    @json_route("DELETE", "/customers/<customer_id>/group")
    def leave_group(self, request, customer_id):
        return self._call("profile", "leave_group", customer_id, _json_body(request))

    @json_route("GET", "/customers/<customer_id>/owner")
    def get_owner(self, request, customer_id):
        return self._call("pool", "get_owner", customer_id)

    @json_route("GET", "/customers/<customer_id>/checklists/<kind>")
    def evaluate_checklist(self, request, customer_id, kind):
        return self._call("handoff", "evaluate_checklist", kind, customer_id)

    @json_route("POST", "/customers/<customer_id>/checklists/<kind>")
    def evaluate_checklist_with_package(self, request, customer_id, kind):
        return self._call("handoff", "evaluate_checklist", kind, customer_id, _json_body(request))

    # handoffs
    @json_route("POST", "/handoffs")
    def submit_handoff(self, request):
        return 201, self._call("handoff", "submit_handoff", _json_body(request), key=_idempotency_key(request))

    @json_route("GET", "/handoffs")
    def list_handoffs(self, request):
        return self._call("handoff", "list_handoffs", _query(request))

    @json_route("GET", "/handoffs/<handoff_id>")
    def get_handoff(self, request, handoff_id):
        return self._call("handoff", "get_handoff", handoff_id)

    @json_route("POST", "/handoffs/<handoff_id>/signatures")
    def sign_handoff(self, request, handoff_id):
        return self._call("handoff", "sign_handoff", handoff_id, _json_body(request))

    @json_route("POST", "/handoffs/<handoff_id>/returns")
    def return_handoff(self, request, handoff_id):
        return self._call("handoff", "return_handoff", handoff_id, _json_body(request))

    @json_route("POST", "/handoffs/<handoff_id>/resubmissions")
    def resubmit_handoff(self, request, handoff_id):
        return self._call("handoff", "resubmit_handoff", handoff_id, _json_body(request), key=_idempotency_key(request))

    @json_route("POST", "/handoffs/<handoff_id>/info")
    def complete_handoff_info(self, request, handoff_id):
        return self._call("handoff", "complete_info", handoff_id, _json_body(request))

    @json_route("GET", "/customers/<customer_id>/handoffs")
    def list_customer_handoffs(self, request, customer_id):
        return self._call("handoff", "list_handoffs", {**_query(request), "customer_id": customer_id})

    @json_route("GET", "/users/<user_id>/handoffs/waiting")
    def list_handoffs_waiting(self, request, user_id):
        return self._call("handoff", "list_handoffs", {**_query(request), "awaiting": user_id})

    @json_route("GET", "/users/<user_id>/handoffs/sent")
    def list_handoffs_sent(self, request, user_id):
        return self._call("handoff", "list_handoffs", {**_query(request), "from_user": user_id})

    @json_route("POST", "/users/<user_id>/leaving")
    def hand_over_leaver(self, request, user_id):
        return 201, self._call("handoff", "hand_over_leaver", user_id, _json_body(request))

    @json_route("GET", "/customers/<customer_id>/requirements")
    def get_requirements(self, request, customer_id):
        return self._call("handoff", "get_requirements", customer_id)

    @json_route("PUT", "/customers/<customer_id>/requirements/<field>")
    def set_requirement(self, request, customer_id, field):
        return self._call("handoff", "set_requirement", customer_id, field, _json_body(request))

    @json_route("GET", "/customers/<customer_id>/steps")
    def list_steps(self, request, customer_id):
        return self._call("handoff", "list_steps", customer_id)

    @json_route("POST", "/customers/<customer_id>/steps/<step>")
    def start_step(self, request, customer_id, step):
        return self._call("handoff", "start_step", customer_id, step, _json_body(request))

    @json_route("GET", "/measures/handoffs")
    def handoff_measures(self, request):
        return self._call("handoff", "measures", _query(request))

    @json_route("GET", "/audits")
    def list_audits(self, request):
        return self._call("handoff", "list_audits", _query(request))

    @json_route("GET", "/audits/<audit_id>")
    def get_audit(self, request, audit_id):
        return self._call("handoff", "get_audit", audit_id)

    # reminders and notifications
    @json_route("GET", "/users/<user_id>/reminders")
    def list_reminders(self, request, user_id):
        return self._call("notification", "list_reminders", user_id, _query(request))

    @json_route("GET", "/reminders/<reminder_id>")
    def get_reminder(self, request, reminder_id):
        return self._call("notification", "get_reminder", reminder_id)

    @json_route("POST", "/reminders/<reminder_id>/snooze")
    def snooze_reminder(self, request, reminder_id):
        return self._call("notification", "snooze_reminder", reminder_id, _json_body(request))

    @json_route("POST", "/reminders/<reminder_id>/done")
    def complete_reminder(self, request, reminder_id):
        return self._call("notification", "complete_reminder", reminder_id, _json_body(request))

    @json_route("GET", "/users/<user_id>/inbox")
    def list_inbox(self, request, user_id):
        return self._call("notification", "list_inbox", user_id, _query(request))

    @json_route("POST", "/users/<user_id>/inbox/<entry_id>/read")
    def mark_read(self, request, user_id, entry_id):
        return self._call("notification", "mark_read", user_id, entry_id, _json_body(request))

    @json_route("GET", "/users/<user_id>/preferences")
    def get_preferences(self, request, user_id):
        return self._call("notification", "get_preferences", user_id)

    @json_route("PUT", "/users/<user_id>/preferences")
    def set_preferences(self, request, user_id):
        return self._call("notification", "set_preferences", user_id, _json_body(request))

    @json_route("GET", "/deliveries")
    def list_deliveries(self, request):
        return self._call("notification", "list_deliveries", _query(request))

    @json_route("GET", "/notification-channels")
    def list_notification_channels(self, request):
        return self._call("notification", "list_channels")

    # inquiries
    @json_route("GET", "/inquiries")
    def list_inquiries(self, request):
        return self._call("intake", "list_inquiries", _query(request))

    @json_route("GET", "/inquiries/<inquiry_id>")
    def get_inquiry(self, request, inquiry_id):
        return self._call("intake", "get_inquiry", inquiry_id)

    @json_route("POST", "/inquiries")
    def submit_inquiry(self, request):
        return self._submit(request, request.get_data(as_text=True), channel=None)

    @json_route("POST", "/channels/<channel>/inquiries")
    def submit_channel_inquiry(self, request, channel):
        if request.mimetype in FORM_TYPES:
            body = json.dumps(request.form.to_dict(), ensure_ascii=False)
        else:
            body = request.get_data(as_text=True)
        return self._submit(request, body, channel=channel)

    # contracts, for integrations that validate before they publish
    @json_route("GET", "/contracts")
    def list_contracts(self, request):
        return {"contracts": sorted(jsonschema.PUBLISHED)}

    @json_route("GET", "/contracts/<name>")
    def get_contract(self, request, name):
        if name not in jsonschema.PUBLISHED:
            raise NotFound.of("contract", name)
        return jsonschema.to_json_schema(jsonschema.PUBLISHED[name])

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
