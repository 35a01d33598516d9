"""gateway: routes HTTP calls to the services over RPC. No rules live here."""

import json
from datetime import UTC, datetime
from functools import partial
from typing import Any

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy
from nameko.timer import timer
from werkzeug.wrappers import Request, Response

from contracts import jsonschema
from contracts.access import (
    DEPARTMENTS,
    INQUIRY_READERS,
    MANAGERS,
    MARKETING_REPORT_READERS,
    REPORT_READERS,
    SCREENERS,
    SELLERS,
    AuditPageSchema,
    AuditQuerySchema,
    IssuedTokenSchema,
    MeUpdateSchema,
    PasswordSetResultSchema,
    PasswordSetSchema,
    PeopleSchema,
    SessionEndedSchema,
    SessionRequestSchema,
    SessionSchema,
    TokenListSchema,
    TokenRequestSchema,
    TokenSchema,
    UserCreateSchema,
    UserPageSchema,
    UserSchema,
    UserUpdateSchema,
)
from contracts.api import ContractListSchema, PluginListSchema
from contracts.board import TeamBoardQuerySchema, TeamBoardSchema
from contracts.communication import CommunicationSchema
from contracts.configuration import ConfigurationCheckRequestSchema, ConfigurationCheckSchema
from contracts.countries import UnknownCountryListSchema
from contracts.customer import (
    CheckResultSchema,
    CustomerCheckSchema,
    CustomerCreateSchema,
    CustomerListExportQuerySchema,
    CustomerPageSchema,
    CustomerSchema,
    CustomerUpdateSchema,
    GradingSchema,
    GroupLeaveSchema,
    GroupLinkSchema,
    GroupViewSchema,
    MergeRequestSchema,
    ScreeningSchema,
    TimelinePageSchema,
    TimelineQuerySchema,
)
from contracts.deals import OrderSchema, QuoteSchema, SampleSchema, StageChangeSchema
from contracts.duplicates import DuplicateExportQuerySchema, DuplicatePageSchema, KeepApartSchema, KeptApartSchema
from contracts.errors import EXPECTED_ERRORS, InvalidInput, NotFound
from contracts.events import load_event
from contracts.handoff import (
    BriefingSchema,
    ChecklistSchema,
    CustomerHandoffQuerySchema,
    HandoffKindListSchema,
    HandoffListQuerySchema,
    HandoffPageSchema,
    HandoffSchema,
    InfoCompletionSchema,
    LeaverHandoverSchema,
    LeavingResultSchema,
    MeasuresQuerySchema,
    MeasuresSchema,
    PackageSchema,
    QualityAuditPageSchema,
    QualityAuditQuerySchema,
    QualityAuditSchema,
    RequirementSetSchema,
    RequirementsSchema,
    ResubmitSchema,
    ReturnSchema,
    SentHandoffQuerySchema,
    SignSchema,
    StepsSchema,
    StepStartSchema,
    SubmitSchema,
    WaitingHandoffQuerySchema,
    WithdrawalSchema,
)
from contracts.health import HealthSchema, ReadySchema
from contracts.imports import ImportMappingListSchema, ImportReadingSchema, ImportReadRequestSchema
from contracts.inquiry import (
    InquiryBatchResultSchema,
    InquiryBatchSchema,
    InquiryListQuerySchema,
    InquiryPageSchema,
    InquiryRecordSchema,
    InquirySchema,
    SubmissionSchema,
)
from contracts.notification import (
    ChannelListSchema,
    DeliveryPageSchema,
    DeliveryQuerySchema,
    DoneSchema,
    InboxEntrySchema,
    InboxPageSchema,
    InboxQuerySchema,
    PreferencesSchema,
    PreferencesUpdateSchema,
    ReadSchema,
    SnoozeSchema,
)
from contracts.ownership import OwnershipSchema
from contracts.paging import ExportQuerySchema, PageQuerySchema
from contracts.parked import (
    EVENT_HANDLING_SERVICES,
    ParkedEventPageSchema,
    ParkedEventQuerySchema,
    RetryParkedResultSchema,
    RetryParkedSchema,
)
from contracts.pool import (
    DO_NOT_CONTACT_READERS,
    ClaimAllowanceSchema,
    ClaimSchema,
    CollaboratorChangeSchema,
    ContactStatusListSchema,
    ContactStatusQuerySchema,
    DoNotContactPageSchema,
    DoNotContactQuerySchema,
    InvalidLeadSchema,
    LeavingSchema,
    PoolExportQuerySchema,
    PoolPageSchema,
    ReactivateSchema,
    ReassignmentSchema,
    RejectedPageSchema,
    RejectSchema,
    ReleaseSchema,
    SalespeopleSchema,
    SalespersonSchema,
    SalespersonUpdateSchema,
    ScreeningPageSchema,
    SweepResultSchema,
    SweepSchema,
    WeightsSchema,
)
from contracts.reminder import ReminderListQuerySchema, ReminderPageSchema, ReminderSchema
from contracts.reports import (
    ConversionReportSchema,
    DemandExportQuerySchema,
    DemandReportSchema,
    FollowUpReportSchema,
    HandoffTimelinessExportQuerySchema,
    HandoffTimelinessReportSchema,
    InquiriesByPlaceReportSchema,
    LostAndRejectedReportSchema,
    PeriodExportQuerySchema,
    PlaceExportQuerySchema,
    StageCountsSchema,
)
from plugins.dependency import Plugins
from services.gateway import configuration_check, list_exports, metrics, openapi, report_tables, sessions, users
from services.gateway import health as health_answers
from services.gateway.authenticating import AuthenticatorAccess
from services.gateway.console import console_file
from services.gateway.directory import Directory
from services.gateway.do_not_contact import do_not_contact_export, do_not_contact_page
from services.gateway.exports import export_format, table_response
from services.gateway.http import FORM_TYPES, RouteAnswer, ServiceUnavailable, error_response, json_route
from services.gateway.leavers import end_sign_in
from services.gateway.merged_lists import merged_page
from services.gateway.screening import screening_page
from services.gateway.settings import GatewaySettingsSchema
from services.gateway.team_board import team_board
from services.runtime import health as service_health
from services.runtime.access import AccessSettingsSchema, Caller
from services.runtime.events import ReliableEventDispatcher, on
from services.runtime.mongo import AuditTrailStore, MongoStore
from services.runtime.queries import load_input, page_of
from services.runtime.queues import rpc
from services.runtime.settings import Settings

# Who may call what (the services then decide per record): roles, departments, department:role.
ANNOUNCE_RETRY_SECONDS = 5  # how often users saved but not yet announced are announced again
ANNOUNCE_BATCH = 100
STAFF = (*DEPARTMENTS, *MANAGERS)
INQUIRY_SENDERS = ("integration", "marketing", "admin")
EVERYONE = (*STAFF, "integration")

# Headers an integration may use to make a retried POST harmless.
IDEMPOTENCY_HEADERS = ("Idempotency-Key", "X-Message-Id")
DUPLICATE_INQUIRY = {
    200: "Seen before (its X-Message-Id, or an expired Idempotency-Key): filed once, answered with duplicate: true."
}


# The mixin is not imported by name: `nameko run` would take it for a service.
class GatewayService(service_health.HealthEntrypoints):
    name = "gateway"

    intake = RpcProxy("intake")
    profile = RpcProxy("profile")
    handoff = RpcProxy("handoff")
    pool = RpcProxy("pool")
    notification = RpcProxy("notification")
    gateway_rpc = RpcProxy("gateway")  # /ready: a round trip through the broker
    health_settings = Settings(service_health.HEALTH_SECTION, service_health.HealthSettingsSchema)
    settings = Settings("gateway", GatewaySettingsSchema)
    access_settings = Settings("access", AccessSettingsSchema)
    authenticator = AuthenticatorAccess()
    directory = MongoStore(Directory)
    audit_trail_store = AuditTrailStore()
    plugins = Plugins()
    caller = Caller()
    dispatch = ReliableEventDispatcher()

    @on("leaver_sign_in_ends")
    def on_leaver_sign_in_ends(self, payload: dict[str, Any]) -> None:
        """A leaver's last customer moved, or their last day was given: their sign-in ends then."""
        ending = load_event("leaver_sign_in_ends", payload)
        end_sign_in(self.directory, ending["user_id"], ending["at"])

    @json_route(
        "GET",
        "/health",
        summary="Health of every service",
        returns=HealthSchema,
        tag="system",
        public=True,
        errors={"503": "A service is failing: 'failing' names it, its entry says why."},
    )
    def health_of_services(self, request: Request) -> RouteAnswer:
        """Each service answers within ``BATON.health.deadline_seconds`` whether its store answers a
        ping and its queues have consumers (answering at all shows the broker carries RPC). 200 when
        all are healthy, 503 naming those that are not. No ids nor secrets: open to anyone."""
        return health_answers.health_report(
            health_answers.ask_all(self._service_proxies(), "health", self.health_settings["deadline_seconds"])
        )

    @json_route(
        "GET",
        "/ready",
        summary="Whether this gateway can serve (for load balancers)",
        returns=ReadySchema,
        tag="system",
        public=True,
        errors={"503": "Not ready: 'reasons' says why."},
    )
    def ready(self, request: Request) -> RouteAnswer:
        """200 once the gateway's store answers a ping and an RPC through the broker comes back; cheap."""
        return health_answers.readiness(
            self.health_probe.store_problem(),
            health_answers.ask_all({"gateway": self.gateway_rpc}, "ping", self.health_settings["deadline_seconds"])[
                "gateway"
            ],
        )

    @json_route(
        "GET",
        "/metrics",
        summary="Metrics in the Prometheus text format",
        tag="system",
        public=True,
        errors={"401": "No token, or an unknown one.", "403": "The token is not an admin's."},
    )
    def metrics_text(self, request: Request) -> RouteAnswer:
        """For an admin's token or the scraper's ``BATON.health.metrics_token`` (``BATON_METRICS_TOKEN``).
        Inquiries by outcome and channel, reminders due and overdue, deliveries by channel and result,
        parked events, handler retries and queue depths — counted in each service's store, so every
        instance agrees — with this gateway's request latency per route and its refusals by status."""
        metrics.check_reader(
            request.headers.get("Authorization"), self.health_settings["metrics_token"], self.authenticator
        )
        proxies = self._service_proxies()
        outcomes = health_answers.ask_all(proxies, "metrics", self.health_settings["deadline_seconds"])
        figures = [figure for answer, _reason in outcomes.values() if answer for figure in answer["figures"]]
        try:
            rpc_queues = [
                {**state, "service": name}
                for name, state in zip(
                    proxies,
                    service_health.queue_states(self.health_probe.amqp_uri, [f"rpc-{name}" for name in proxies]),
                    strict=True,
                )
            ]
        except Exception:  # the broker is away: baton_service_up says so already
            rpc_queues = []
        body = metrics.exposition(figures + metrics.gateway_figures(outcomes, rpc_queues))
        return Response(body, status=200, headers={"Content-Type": metrics.CONTENT_TYPE})

    # --- customers (profile) --------------------------------------------------------------

    @json_route(
        "GET",
        "/customers",
        summary="List customer archives",
        query=CustomerListExportQuerySchema,
        returns=CustomerPageSchema,
        tag="customers",
        allow=STAFF,
    )
    def list_customers(self, request: Request) -> RouteAnswer:
        """``email`` is matched after normalisation; the newest archives come first. With
        ``format=csv|xlsx``, every customer the filters find as a file (one row each)."""
        query = _query(request)
        wanted = export_format(query)
        if wanted is None:
            return self._call("profile", "list_customers", query)
        items = list_exports.every_item(self._call, "profile", "list_customers", query)
        return table_response("customers", [list_exports.customers_table(items, self._name_of())], wanted)

    @json_route(
        "GET",
        "/customers/stages",
        summary="Customers in all and at each stage (the funnel)",
        returns=StageCountsSchema,
        tag="customers",
        allow=STAFF,
    )
    def count_customers_by_stage(self, request: Request) -> RouteAnswer:
        """The totals ``GET /customers?stage=`` gives for every stage, and without one, in one call."""
        return self._call("profile", "count_customers_by_stage")

    @json_route(
        "POST",
        "/customers",
        summary="File a customer by hand",
        body=CustomerCreateSchema,
        returns=CustomerSchema,
        status=201,
        tag="customers",
        allow=SELLERS,
    )
    def create_customer(self, request: Request) -> RouteAnswer:
        """The creator owns it. 409 names the owner (or the pool) when any key or a near-identical
        name matches an existing customer. ``Idempotency-Key`` makes a retry harmless."""
        return 201, self._call("profile", "create_customer", _json_body(request), key=_idempotency_key(request))

    @json_route(
        "GET",
        "/customers/check",
        summary="Check before create: likely existing customers",
        query=CustomerCheckSchema,
        returns=CheckResultSchema,
        tag="customers",
        allow=("marketing", *SELLERS),
    )
    def check_before_create(self, request: Request) -> RouteAnswer:
        return self._call("profile", "check_before_create", _query(request))

    @json_route(
        "GET",
        "/customers/<customer_id>",
        summary="One customer archive",
        returns=CustomerSchema,
        tag="customers",
        allow=STAFF,
    )
    def get_customer(self, request: Request, customer_id: str) -> RouteAnswer:
        return self._call("profile", "get_customer", customer_id)

    @json_route(
        "PATCH",
        "/customers/<customer_id>",
        summary="Correct or complete an archive by hand",
        body=CustomerUpdateSchema,
        returns=CustomerSchema,
        tag="customers",
        allow=STAFF,
    )
    def update_customer(self, request: Request, customer_id: str) -> RouteAnswer:
        return self._call("profile", "update_customer", customer_id, _json_body(request))

    @json_route(
        "GET",
        "/customers/<customer_id>/timeline",
        summary="The customer's history in order",
        query=TimelineQuerySchema,
        returns=TimelinePageSchema,
        tag="customers",
        allow=STAFF,
    )
    def get_timeline(self, request: Request, customer_id: str) -> RouteAnswer:
        return self._call("profile", "get_timeline", customer_id, _query(request))

    @json_route(
        "POST",
        "/customers/<customer_id>/communications",
        summary="Record a contact (notes convention)",
        body=CommunicationSchema,
        returns=CustomerSchema,
        status=201,
        tag="customers",
        allow=STAFF,
    )
    def record_communication(self, request: Request, customer_id: str) -> RouteAnswer:
        """Lines starting 【特殊】 become special requirements. ``Idempotency-Key`` honoured."""
        return 201, self._call(
            "profile", "record_communication", customer_id, _json_body(request), record_id=_idempotency_key(request)
        )

    @json_route(
        "POST",
        "/customers/<customer_id>/quotes",
        summary="Record a quote",
        body=QuoteSchema,
        returns=CustomerSchema,
        status=201,
        tag="customers",
        allow=SELLERS,
    )
    def record_quote(self, request: Request, customer_id: str) -> RouteAnswer:
        return 201, self._deal_step(request, customer_id, "quotes")

    @json_route(
        "POST",
        "/customers/<customer_id>/samples",
        summary="Record a sample sent",
        body=SampleSchema,
        returns=CustomerSchema,
        status=201,
        tag="customers",
        allow=SELLERS,
    )
    def record_sample(self, request: Request, customer_id: str) -> RouteAnswer:
        return 201, self._deal_step(request, customer_id, "samples")

    @json_route(
        "POST",
        "/customers/<customer_id>/orders",
        summary="Record an order",
        body=OrderSchema,
        returns=CustomerSchema,
        status=201,
        tag="customers",
        allow=SELLERS,
    )
    def record_order(self, request: Request, customer_id: str) -> RouteAnswer:
        return 201, self._deal_step(request, customer_id, "orders")

    @json_route(
        "PUT",
        "/customers/<customer_id>/stage",
        summary="Change the customer's stage",
        body=StageChangeSchema,
        returns=CustomerSchema,
        tag="customers",
        allow=SELLERS,
    )
    def change_stage(self, request: Request, customer_id: str) -> RouteAnswer:
        return self._call("profile", "change_stage", customer_id, _json_body(request))

    @json_route(
        "POST",
        "/customers/<customer_id>/grades",
        summary="Grade the customer by hand (a regrade)",
        body=GradingSchema,
        returns=CustomerSchema,
        tag="customers",
        allow=SELLERS,
    )
    def grade_customer(self, request: Request, customer_id: str) -> RouteAnswer:
        """The intent grade (A/B/C), the value grade (A/B/C/D) or both, with the reason. The owner
        is reminded to regrade a quarter after the last grading."""
        return self._call("profile", "grade_customer", customer_id, _json_body(request))

    @json_route(
        "POST",
        "/customers/<customer_id>/merge",
        summary="Merge a duplicate into this archive",
        body=MergeRequestSchema,
        returns=CustomerSchema,
        tag="customers",
        allow=MANAGERS,
    )
    def merge_customers(self, request: Request, customer_id: str) -> RouteAnswer:
        """Contacts, communications and timeline are kept and the merge recorded; intake and pool follow."""
        return self._call("profile", "merge_customers", customer_id, _json_body(request))

    @json_route(
        "POST",
        "/customers/<customer_id>/keep-apart",
        summary="Keep two possible duplicates apart (different companies)",
        body=KeepApartSchema,
        returns=KeptApartSchema,
        tag="customers",
        allow=MANAGERS,
    )
    def keep_apart(self, request: Request, customer_id: str) -> RouteAnswer:
        """Neither archive is flagged with the other any more, now or by later inquiries; both timelines
        say who decided it. Asking again answers the first decision."""
        return self._call("profile", "keep_apart", customer_id, _json_body(request))

    @json_route(
        "GET",
        "/duplicates",
        summary="Possible duplicates to merge or keep apart",
        query=DuplicateExportQuerySchema,
        returns=DuplicatePageSchema,
        tag="customers",
        allow=MANAGERS,
    )
    def list_possible_duplicates(self, request: Request) -> RouteAnswer:
        """Each open pair once, the most recently flagged first, with the kinds of key both archives
        have. With ``format=csv|xlsx``, every open pair as a file (one row each)."""
        query = _query(request)
        wanted = export_format(query)
        if wanted is None:
            return self._call("profile", "list_possible_duplicates", query)
        items = list_exports.every_item(self._call, "profile", "list_possible_duplicates", query)
        return table_response("possible-duplicates", [list_exports.duplicates_table(items, self._name_of())], wanted)

    @json_route(
        "GET",
        "/customers/<customer_id>/group",
        summary="The customer's group and its members",
        returns=GroupViewSchema,
        tag="customers",
        allow=STAFF,
    )
    def get_group(self, request: Request, customer_id: str) -> RouteAnswer:
        return self._call("profile", "get_group", customer_id)

    @json_route(
        "POST",
        "/customers/<customer_id>/group",
        summary="Link another archive into this one's group",
        body=GroupLinkSchema,
        returns=GroupViewSchema,
        tag="customers",
        allow=SELLERS,
    )
    def link_group(self, request: Request, customer_id: str) -> RouteAnswer:
        return self._call("profile", "link_group", customer_id, _json_body(request))

    @json_route(
        "DELETE",
        "/customers/<customer_id>/group",
        summary="Take the customer out of its group",
        body=GroupLeaveSchema,
        returns=GroupViewSchema,
        tag="customers",
        allow=SELLERS,
    )
    def leave_group(self, request: Request, customer_id: str) -> RouteAnswer:
        return self._call("profile", "leave_group", customer_id, _json_body(request))

    @json_route(
        "GET",
        "/countries/unknown",
        summary="Countries customers wrote that name no country Baton knows",
        returns=UnknownCountryListSchema,
        tag="customers",
        allow=MANAGERS,
    )
    def unknown_countries(self, request: Request) -> RouteAnswer:
        """Kept as written with no country_code, with how many archives each: map a spelling in
        BATON.countries.aliases, then run ``baton countries backfill``."""
        return self._call("profile", "unknown_countries")

    # --- the public pool (pool) -----------------------------------------------------------

    @json_route(
        "GET",
        "/customers/<customer_id>/owner",
        summary="The customer's place in the pool",
        returns=OwnershipSchema,
        tag="pool",
        allow=STAFF,
    )
    def get_owner(self, request: Request, customer_id: str) -> RouteAnswer:
        return self._call("pool", "get_owner", customer_id)

    @json_route(
        "POST",
        "/customers/<customer_id>/claim",
        summary="Claim a customer from the pool",
        body=ClaimSchema,
        returns=OwnershipSchema,
        tag="pool",
        allow=("sales",),
    )
    def claim(self, request: Request, customer_id: str) -> RouteAnswer:
        """409 names the winner of a race, or the limit reached and when it resets."""
        return self._call("pool", "claim", customer_id, _json_body(request))

    @json_route(
        "GET",
        "/users/<user_id>/claims",
        summary="What a salesperson may still claim from the pool",
        returns=ClaimAllowanceSchema,
        tag="pool",
        allow=EVERYONE,
    )
    def claim_allowance(self, request: Request, user_id: str) -> RouteAnswer:
        """Per day, week and month (calendar periods in the company's time zone): claims used, the
        limit, what remains and when it resets; and customers held beside the holding cap. Your own;
        a manager's department's people; anyone's for an admin."""
        return self._call("pool", "claim_allowance", user_id)

    @json_route(
        "POST",
        "/customers/<customer_id>/release",
        summary="Give a customer back to the public pool",
        body=ReleaseSchema,
        returns=OwnershipSchema,
        tag="pool",
        allow=SELLERS,
    )
    def release(self, request: Request, customer_id: str) -> RouteAnswer:
        """The releaser cannot claim it back for the protection period."""
        return self._call("pool", "release", customer_id, _json_body(request))

    @json_route(
        "POST",
        "/customers/<customer_id>/reject",
        summary="Reject a customer (do not contact)",
        body=RejectSchema,
        returns=OwnershipSchema,
        tag="pool",
        allow=SELLERS,
    )
    def reject(self, request: Request, customer_id: str) -> RouteAnswer:
        return self._call("pool", "reject", customer_id, _json_body(request))

    @json_route(
        "POST",
        "/customers/<customer_id>/reactivate",
        summary="Bring a rejected or dormant customer back",
        body=ReactivateSchema,
        returns=OwnershipSchema,
        tag="pool",
        allow=MANAGERS,
    )
    def reactivate(self, request: Request, customer_id: str) -> RouteAnswer:
        return self._call("pool", "reactivate", customer_id, _json_body(request))

    # --- marketing's screening (初筛) -----------------------------------------------------

    @json_route(
        "GET",
        "/screening",
        summary="Leads waiting for marketing's screening, newest first",
        query=PageQuerySchema,
        returns=ScreeningPageSchema,
        tag="screening",
        allow=SCREENERS,
    )
    def screening_queue(self, request: Request) -> RouteAnswer:
        """With ``BATON.allocation.screening`` (default) a new lead waits here, owned by nobody, until
        marketing screens it (POST /customers/<id>/screening) and hands it to sales (POST /handoffs,
        kind marketing_to_sales; ``to`` left out: the weighted round-robin chooses) or marks it invalid."""
        return screening_page(self._call, _query(request))

    @json_route(
        "POST",
        "/customers/<customer_id>/screening",
        summary="Record marketing's screening of a lead",
        body=ScreeningSchema,
        returns=CustomerSchema,
        status=201,
        tag="screening",
        allow=SCREENERS,
    )
    def record_screening(self, request: Request, customer_id: str) -> RouteAnswer:
        """Ideal-customer fit (yes/no), the specific need (added to the needs), and whether contact was
        attempted with its result (kept as a communication record): what the marketing → sales checklist
        reads. ``Idempotency-Key`` honoured."""
        return 201, self._call(
            "profile", "record_screening", customer_id, _json_body(request), record_id=_idempotency_key(request)
        )

    @json_route(
        "POST",
        "/customers/<customer_id>/invalid",
        summary="Mark a lead invalid, with the reason",
        body=InvalidLeadSchema,
        returns=OwnershipSchema,
        tag="screening",
        allow=(*SCREENERS, "sales"),
    )
    def mark_invalid(self, request: Request, customer_id: str) -> RouteAnswer:
        """Out of the screening queue (or the public pool) and off every list, at the archive stage
        ``invalid`` with the reason; not on the do-not-contact list (rejection is). An owned customer
        only by its owner or a manager; a manager may reactivate it."""
        return self._call("pool", "mark_invalid", customer_id, _json_body(request))

    @json_route(
        "PUT",
        "/customers/<customer_id>/collaborators/<user>",
        summary="Name a collaborator",
        body=CollaboratorChangeSchema,
        returns=OwnershipSchema,
        tag="pool",
        allow=("service", *SELLERS),
    )
    def add_collaborator(self, request: Request, customer_id: str, user: str) -> RouteAnswer:
        return self._call("pool", "set_collaborator", customer_id, {**_json_body(request), "user": user})

    @json_route(
        "DELETE",
        "/customers/<customer_id>/collaborators/<user>",
        summary="Remove a collaborator",
        body=CollaboratorChangeSchema,
        returns=OwnershipSchema,
        tag="pool",
        allow=("service", *SELLERS),
    )
    def remove_collaborator(self, request: Request, customer_id: str, user: str) -> RouteAnswer:
        return self._call("pool", "set_collaborator", customer_id, {**_json_body(request), "user": user}, present=False)

    @json_route(
        "GET",
        "/pool",
        summary="Search the public pool, the dormant pool or the rejected list",
        query=PoolExportQuerySchema,
        returns=PoolPageSchema,
        tag="pool",
        allow=SELLERS,
    )
    def search_pool(self, request: Request) -> RouteAnswer:
        """``reason`` matches the start of why a customer is where it is (released, recycled…). With
        ``format=csv|xlsx``, every entry the filters find as a file (one row each)."""
        query = _query(request)
        wanted = export_format(query)
        if wanted is None:
            return self._call("pool", "search_pool", query)
        items = list_exports.every_item(self._call, "pool", "search_pool", query)
        return table_response(
            f"pool-{query.get('state') or 'public_pool'}", [list_exports.pool_table(items, self._name_of())], wanted
        )

    @json_route(
        "GET",
        "/pool/rejected",
        summary="The monthly review of rejected customers",
        query=PageQuerySchema,
        returns=RejectedPageSchema,
        tag="pool",
        allow=MANAGERS,
    )
    def rejected_for_review(self, request: Request) -> RouteAnswer:
        return self._call("pool", "rejected_for_review", _query(request))

    @json_route(
        "POST",
        "/pool/contact-status",
        summary="Which customers must not be contacted",
        body=ContactStatusQuerySchema,
        returns=ContactStatusListSchema,
        tag="pool",
        allow=("marketing", *SELLERS, "integration"),
    )
    def contact_status(self, request: Request) -> RouteAnswer:
        """Ids the pool does not know are listed in ``unknown``, never left out."""
        return self._call("pool", "contact_status", _json_body(request))

    @json_route(
        "GET",
        "/imports/mappings",
        summary="The column mappings a file import may use",
        returns=ImportMappingListSchema,
        tag="inquiries",
        allow=INQUIRY_SENDERS,
    )
    def import_mappings(self, request: Request) -> dict:
        """deploy/import_mappings: each maps a file's column headers (English or Chinese exports) to inquiry fields."""
        return self._call("intake", "import_mappings")

    @json_route(
        "POST",
        "/imports/read",
        summary="Read an inquiry file (CSV or XLSX) under a mapping, before importing it",
        body=ImportReadRequestSchema,
        returns=ImportReadingSchema,
        tag="inquiries",
        allow=INQUIRY_SENDERS,
    )
    def read_import(self, request: Request) -> dict:
        """Nothing is filed: the answer shows which column fills which field, the fields no column fills,
        and every row as the item of POST /inquiries/batch it becomes (keyed by its content, so importing
        the file again changes nothing). Post the items in batches, then ask GET /inquiries?ids= what each became."""
        return self._call("intake", "read_import", _json_body(request))

    @json_route(
        "GET",
        "/do-not-contact",
        summary="The customers marketing must not contact, or whether one found by email, domain or phone is",
        query=DoNotContactQuerySchema,
        returns=DoNotContactPageSchema,
        tag="pool",
        allow=DO_NOT_CONTACT_READERS,
    )
    def do_not_contact(self, request: Request) -> RouteAnswer:
        """Rejected customers (拒绝往来) with their names, most recently rejected first. Asked by
        ``email``, ``domain`` or ``phone`` (any spelling, as profile matches customers), only the
        customer those find; ``found`` lists it whether it is on the list or not."""
        return do_not_contact_page(self._call, _query(request))

    @json_route(
        "GET",
        "/do-not-contact/export",
        summary="The do-not-contact list as CSV or XLSX",
        tag="pool",
        query=ExportQuerySchema,
        allow=DO_NOT_CONTACT_READERS,
    )
    def export_do_not_contact(self, request: Request) -> RouteAnswer:
        """Every rejected customer, one row each: customer_id, company, country, country_code, reason,
        rejected_at, rejected_by; ``format=csv`` (the default; UTF-8 with a byte-order mark, for
        spreadsheets) or ``xlsx``."""
        return do_not_contact_export(self._call, export_format(_query(request)) or "csv")

    @json_route(
        "POST",
        "/pool/sweep",
        summary="Run the recycling sweep now",
        body=SweepSchema,
        returns=SweepResultSchema,
        tag="pool",
        allow=("admin",),
    )
    def run_sweep(self, request: Request) -> RouteAnswer:
        return self._call("pool", "run_sweep", _json_body(request).get("now"))

    @json_route(
        "GET",
        "/salespeople",
        summary="The people allocation serves",
        returns=SalespeopleSchema,
        tag="pool",
        allow=SELLERS,
    )
    def list_salespeople(self, request: Request) -> RouteAnswer:
        return self._call("pool", "list_salespeople")

    @json_route(
        "GET",
        "/team-board",
        summary="Each salesperson's overdue reminders, handoffs waiting and claims",
        query=TeamBoardQuerySchema,
        returns=TeamBoardSchema,
        tag="pool",
        allow=MANAGERS,
    )
    def get_team_board(self, request: Request) -> RouteAnswer:
        """For managers: every active salesperson (of ``team``) with the figures notification, handoff
        and pool answer for them, asked as the caller; a figure the caller may not see is null."""
        return team_board(self._call, _query(request))

    @json_route(
        "PATCH",
        "/salespeople/<person_id>",
        summary="Set leave, a weight override, markets, grades, role",
        body=SalespersonUpdateSchema,
        returns=SalespersonSchema,
        tag="pool",
        allow=MANAGERS,
    )
    def update_salesperson(self, request: Request, person_id: str) -> RouteAnswer:
        return self._call("pool", "update_salesperson", person_id, _json_body(request))

    @json_route(
        "POST",
        "/salespeople/<person_id>/leaving",
        summary="Reassign a leaver's customers",
        body=LeavingSchema,
        returns=ReassignmentSchema,
        status=201,
        tag="pool",
        allow=MANAGERS,
    )
    def salesperson_leaves(self, request: Request, person_id: str) -> RouteAnswer:
        return 201, self._call("pool", "salesperson_leaves", person_id, _json_body(request))

    @json_route(
        "GET",
        "/reassignments/<reassignment_id>",
        summary="What went where when someone left",
        returns=ReassignmentSchema,
        tag="pool",
        allow=MANAGERS,
    )
    def get_reassignment(self, request: Request, reassignment_id: str) -> RouteAnswer:
        return self._call("pool", "get_reassignment", reassignment_id)

    @json_route(
        "POST",
        "/salespeople/weights",
        summary="Recompute weights from conversion now",
        returns=WeightsSchema,
        tag="pool",
        allow=MANAGERS,
    )
    def recompute_weights(self, request: Request) -> RouteAnswer:
        return self._call("pool", "recompute_weights")

    # --- handoffs ---------------------------------------------------------------------------

    @json_route(
        "GET",
        "/handoff-kinds",
        summary="The kinds of handoff as configured",
        returns=HandoffKindListSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def list_handoff_kinds(self, request: Request) -> RouteAnswer:
        """Who sends and receives each kind, how many receivers, who signs and owns once accepted,
        the annual value it is for, and its checklist's item names (BATON.handoff.kinds)."""
        return self._call("handoff", "list_kinds")

    @json_route(
        "GET",
        "/customers/<customer_id>/checklists/<kind>",
        summary="Evaluate a handoff checklist",
        returns=ChecklistSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def evaluate_checklist(self, request: Request, customer_id: str, kind: str) -> RouteAnswer:
        """Every item with pass or fail and the reason."""
        return self._call("handoff", "evaluate_checklist", kind, customer_id)

    @json_route(
        "POST",
        "/customers/<customer_id>/checklists/<kind>",
        summary="Evaluate a handoff checklist with a draft package",
        body=PackageSchema,
        returns=ChecklistSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def evaluate_checklist_with_package(self, request: Request, customer_id: str, kind: str) -> RouteAnswer:
        return self._call("handoff", "evaluate_checklist", kind, customer_id, _json_body(request))

    @json_route(
        "POST",
        "/handoffs",
        summary="Hand a customer over",
        body=SubmitSchema,
        returns=HandoffSchema,
        status=201,
        tag="handoffs",
        allow=STAFF,
    )
    def submit_handoff(self, request: Request) -> RouteAnswer:
        """Refused (422) with every missing checklist item, unless sent as info pending with a
        deadline. ``Idempotency-Key`` honoured."""
        return 201, self._call("handoff", "submit_handoff", _json_body(request), key=_idempotency_key(request))

    @json_route(
        "GET",
        "/handoffs",
        summary="Handoffs by customer, sender, receiver, kind, state or overdue",
        query=HandoffListQuerySchema,
        returns=HandoffPageSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def list_handoffs(self, request: Request) -> RouteAnswer:
        return self._call("handoff", "list_handoffs", _query(request))

    @json_route(
        "GET",
        "/handoffs/<handoff_id>",
        summary="The receiver's first view: package and timeline",
        returns=BriefingSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def get_handoff(self, request: Request, handoff_id: str) -> RouteAnswer:
        return self._call("handoff", "get_handoff", handoff_id)

    @json_route(
        "POST",
        "/handoffs/<handoff_id>/signatures",
        summary="Accept (sign) a handoff",
        body=SignSchema,
        returns=HandoffSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def sign_handoff(self, request: Request, handoff_id: str) -> RouteAnswer:
        return self._call("handoff", "sign_handoff", handoff_id, _json_body(request))

    @json_route(
        "POST",
        "/handoffs/<handoff_id>/returns",
        summary="Return a handoff to its sender with reasons",
        body=ReturnSchema,
        returns=HandoffSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def return_handoff(self, request: Request, handoff_id: str) -> RouteAnswer:
        return self._call("handoff", "return_handoff", handoff_id, _json_body(request))

    @json_route(
        "POST",
        "/handoffs/<handoff_id>/resubmissions",
        summary="Resubmit a returned handoff",
        body=ResubmitSchema,
        returns=HandoffSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def resubmit_handoff(self, request: Request, handoff_id: str) -> RouteAnswer:
        return self._call("handoff", "resubmit_handoff", handoff_id, _json_body(request), key=_idempotency_key(request))

    @json_route(
        "POST",
        "/handoffs/<handoff_id>/info",
        summary="Complete what an info-pending handoff lacked",
        body=InfoCompletionSchema,
        returns=HandoffSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def complete_handoff_info(self, request: Request, handoff_id: str) -> RouteAnswer:
        return self._call("handoff", "complete_info", handoff_id, _json_body(request))

    @json_route(
        "POST",
        "/handoffs/<handoff_id>/withdrawal",
        summary="Withdraw a handoff not yet accepted",
        body=WithdrawalSchema,
        returns=HandoffSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def withdraw_handoff(self, request: Request, handoff_id: str) -> RouteAnswer:
        return self._call("handoff", "withdraw_handoff", handoff_id, _json_body(request))

    @json_route(
        "GET",
        "/customers/<customer_id>/handoffs",
        summary="A customer's handoffs",
        query=CustomerHandoffQuerySchema,
        returns=HandoffPageSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def list_customer_handoffs(self, request: Request, customer_id: str) -> RouteAnswer:
        return self._call("handoff", "list_handoffs", {**_query(request), "customer_id": customer_id})

    @json_route(
        "GET",
        "/users/<user_id>/handoffs/waiting",
        summary="Handoffs waiting for a user's signature",
        query=WaitingHandoffQuerySchema,
        returns=HandoffPageSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def list_handoffs_waiting(self, request: Request, user_id: str) -> RouteAnswer:
        return self._call("handoff", "list_handoffs", {**_query(request), "awaiting": user_id})

    @json_route(
        "GET",
        "/users/<user_id>/handoffs/sent",
        summary="Handoffs a user sent",
        query=SentHandoffQuerySchema,
        returns=HandoffPageSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def list_handoffs_sent(self, request: Request, user_id: str) -> RouteAnswer:
        return self._call("handoff", "list_handoffs", {**_query(request), "from_user": user_id})

    @json_route(
        "POST",
        "/users/<user_id>/leaving",
        summary="A salesperson leaves: customers move, each with a package",
        body=LeaverHandoverSchema,
        returns=LeavingResultSchema,
        status=201,
        tag="handoffs",
        allow=MANAGERS,
    )
    def hand_over_leaver(self, request: Request, user_id: str) -> RouteAnswer:
        return 201, self._call("handoff", "hand_over_leaver", user_id, _json_body(request))

    @json_route(
        "GET",
        "/customers/<customer_id>/requirements",
        summary="Agreed requirements and their changes",
        returns=RequirementsSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def get_requirements(self, request: Request, customer_id: str) -> RouteAnswer:
        return self._call("handoff", "get_requirements", customer_id)

    @json_route(
        "PUT",
        "/customers/<customer_id>/requirements/<field>",
        summary="Record or change an agreed requirement (everyone holding the customer is told)",
        body=RequirementSetSchema,
        returns=RequirementsSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def set_requirement(self, request: Request, customer_id: str, field: str) -> RouteAnswer:
        return self._call("handoff", "set_requirement", customer_id, field, _json_body(request))

    @json_route(
        "GET",
        "/customers/<customer_id>/steps",
        summary="Departments' steps and whether each gate is open",
        returns=StepsSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def list_steps(self, request: Request, customer_id: str) -> RouteAnswer:
        return self._call("handoff", "list_steps", customer_id)

    @json_route(
        "POST",
        "/customers/<customer_id>/steps/<step>",
        summary="Start a step; refused naming what is missing",
        body=StepStartSchema,
        returns=StepsSchema,
        tag="handoffs",
        allow=STAFF,
    )
    def start_step(self, request: Request, customer_id: str, step: str) -> RouteAnswer:
        return self._call("handoff", "start_step", customer_id, step, _json_body(request))

    @json_route(
        "GET",
        "/measures/handoffs",
        summary="Handoff timeliness, return rates, most missing items",
        query=MeasuresQuerySchema,
        returns=MeasuresSchema,
        tag="handoffs",
        allow=MANAGERS,
    )
    def handoff_measures(self, request: Request) -> RouteAnswer:
        return self._call("handoff", "measures", _query(request))

    @json_route(
        "GET",
        "/quality-audits",
        summary="The weekly quality audits of records",
        query=QualityAuditQuerySchema,
        returns=QualityAuditPageSchema,
        tag="handoffs",
        allow=MANAGERS,
    )
    def list_quality_audits(self, request: Request) -> RouteAnswer:
        return self._call("handoff", "list_quality_audits", _query(request))

    @json_route(
        "GET",
        "/quality-audits/<quality_audit_id>",
        summary="One quality audit report",
        returns=QualityAuditSchema,
        tag="handoffs",
        allow=MANAGERS,
    )
    def get_quality_audit(self, request: Request, quality_audit_id: str) -> RouteAnswer:
        return self._call("handoff", "get_quality_audit", quality_audit_id)

    # --- reports (each computed by the service that owns its data) ----------------------------

    @json_route(
        "GET",
        "/reports/inquiries",
        summary="Inquiries per country or region and month, month on month",
        query=PlaceExportQuerySchema,
        returns=InquiriesByPlaceReportSchema,
        tag="reports",
        allow=MARKETING_REPORT_READERS,
    )
    def report_inquiries(self, request: Request) -> RouteAnswer:
        """Each month's inquiries, in all and per place, beside the month before (count and %)."""
        return self._report(
            request,
            "inquiries",
            report_tables.inquiries_tables,
            lambda query: self._call("profile", "report_inquiries_by_place", query),
        )

    @json_route(
        "GET",
        "/reports/demand",
        summary="Most requested products, and the share of customers asking for each need",
        query=DemandExportQuerySchema,
        returns=DemandReportSchema,
        tag="reports",
        allow=REPORT_READERS,
    )
    def report_demand(self, request: Request) -> RouteAnswer:
        """Needs are BATON.reports.needs (CE, FDA, 110V, custom logo…); places are regions
        (BATON.reports.regions) or countries."""
        return self._report(
            request, "demand", report_tables.demand_tables, lambda query: self._call("profile", "report_demand", query)
        )

    @json_route(
        "GET",
        "/reports/follow-up",
        summary="First quote → first sample time per salesperson",
        query=PeriodExportQuerySchema,
        returns=FollowUpReportSchema,
        tag="reports",
        allow=REPORT_READERS,
    )
    def report_follow_up(self, request: Request) -> RouteAnswer:
        return self._report(
            request,
            "follow-up",
            report_tables.follow_up_tables,
            lambda query: self._call("profile", "report_follow_up", query),
        )

    @json_route(
        "GET",
        "/reports/conversion",
        summary="Conversion by lead source (channel and campaign)",
        query=PeriodExportQuerySchema,
        returns=ConversionReportSchema,
        tag="reports",
        allow=MARKETING_REPORT_READERS,
    )
    def report_conversion(self, request: Request) -> RouteAnswer:
        """Customers opened in the period per source, and how many of them have placed an order."""
        return self._report(
            request,
            "conversion",
            report_tables.conversion_tables,
            lambda query: self._call("profile", "report_conversion", query),
        )

    @json_route(
        "GET",
        "/reports/handoffs",
        summary="Handoff timeliness over the period's months",
        query=HandoffTimelinessExportQuerySchema,
        returns=HandoffTimelinessReportSchema,
        tag="reports",
        allow=REPORT_READERS,
    )
    def report_handoffs(self, request: Request) -> RouteAnswer:
        """The figures of GET /measures/handoffs for whole months."""
        return self._report(
            request,
            "handoffs",
            report_tables.handoff_tables,
            lambda query: self._call("handoff", "report_timeliness", query),
        )

    @json_route(
        "GET",
        "/reports/lost-reasons",
        summary="Why customers were lost, made invalid or rejected",
        query=PeriodExportQuerySchema,
        returns=LostAndRejectedReportSchema,
        tag="reports",
        allow=REPORT_READERS,
    )
    def report_lost_reasons(self, request: Request) -> RouteAnswer:
        """Stage changes to lost, invalid or rejected with their reasons (profile), and customers
        rejected in the pool with theirs (pool)."""
        return self._report(request, "lost-reasons", report_tables.lost_reasons_tables, self._lost_reasons)

    def _lost_reasons(self, query):
        lost = self._call("profile", "report_lost_reasons", query)
        rejected = self._call("pool", "report_rejected_reasons", query)
        return {"from": lost["from"], "to": lost["to"], "lost": lost, "rejected_in_pool": rejected}

    def _report(self, request, filename, tables_of, compute):
        """The report as JSON, or with ``format=csv|xlsx`` as a file of the same figures."""
        query = _query(request)
        wanted = export_format(query)
        report = compute(query)
        if wanted is None:
            return report
        return table_response(f"{filename}-{report['from']}-{report['to']}", tables_of(report, self._name_of()), wanted)

    def _name_of(self):
        """A person's name for an export, by user id (the id itself for someone unknown, e.g. "pool")."""
        names = {p["_id"]: p.get("name") or p["_id"] for p in self.directory.people(users.MAX_PEOPLE)}
        return lambda user_id: names.get(user_id, user_id)

    # --- reminders and notifications (notification) ------------------------------------------

    @json_route(
        "GET",
        "/users/<user_id>/reminders",
        summary="A user's reminders, soonest first",
        query=ReminderListQuerySchema,
        returns=ReminderPageSchema,
        tag="reminders",
        allow=STAFF,
    )
    def list_reminders(self, request: Request, user_id: str) -> RouteAnswer:
        return self._call("notification", "list_reminders", user_id, _query(request))

    @json_route(
        "GET", "/reminders/<reminder_id>", summary="One reminder", returns=ReminderSchema, tag="reminders", allow=STAFF
    )
    def get_reminder(self, request: Request, reminder_id: str) -> RouteAnswer:
        return self._call("notification", "get_reminder", reminder_id)

    @json_route(
        "POST",
        "/reminders/<reminder_id>/snooze",
        summary="Snooze a reminder (until a time, or minutes)",
        body=SnoozeSchema,
        returns=ReminderSchema,
        tag="reminders",
        allow=STAFF,
    )
    def snooze_reminder(self, request: Request, reminder_id: str) -> RouteAnswer:
        return self._call("notification", "snooze_reminder", reminder_id, _json_body(request))

    @json_route(
        "POST",
        "/reminders/<reminder_id>/done",
        summary="Mark a reminder done",
        body=DoneSchema,
        returns=ReminderSchema,
        tag="reminders",
        allow=STAFF,
    )
    def complete_reminder(self, request: Request, reminder_id: str) -> RouteAnswer:
        return self._call("notification", "complete_reminder", reminder_id, _json_body(request))

    @json_route(
        "GET",
        "/users/<user_id>/inbox",
        summary="A user's in-app notifications, newest first",
        query=InboxQuerySchema,
        returns=InboxPageSchema,
        tag="reminders",
        allow=STAFF,
    )
    def list_inbox(self, request: Request, user_id: str) -> RouteAnswer:
        return self._call("notification", "list_inbox", user_id, _query(request))

    @json_route(
        "POST",
        "/users/<user_id>/inbox/<entry_id>/read",
        summary="Mark a notification read",
        body=ReadSchema,
        returns=InboxEntrySchema,
        tag="reminders",
        allow=STAFF,
    )
    def mark_read(self, request: Request, user_id: str, entry_id: str) -> RouteAnswer:
        return self._call("notification", "mark_read", user_id, entry_id, _json_body(request))

    @json_route(
        "GET",
        "/users/<user_id>/preferences",
        summary="How and when a user is told",
        returns=PreferencesSchema,
        tag="reminders",
        allow=STAFF,
    )
    def get_preferences(self, request: Request, user_id: str) -> RouteAnswer:
        return self._call("notification", "get_preferences", user_id)

    @json_route(
        "PUT",
        "/users/<user_id>/preferences",
        summary="Set time zone, quiet hours, digest, channels",
        body=PreferencesUpdateSchema,
        returns=PreferencesSchema,
        tag="reminders",
        allow=STAFF,
    )
    def set_preferences(self, request: Request, user_id: str) -> RouteAnswer:
        return self._call("notification", "set_preferences", user_id, _json_body(request))

    @json_route(
        "GET",
        "/deliveries",
        summary="Deliveries per channel with every attempt and failure",
        query=DeliveryQuerySchema,
        returns=DeliveryPageSchema,
        tag="reminders",
        allow=STAFF,
    )
    def list_deliveries(self, request: Request) -> RouteAnswer:
        return self._call("notification", "list_deliveries", _query(request))

    @json_route(
        "GET",
        "/notification-channels",
        summary="The notification channels installed",
        returns=ChannelListSchema,
        tag="reminders",
        allow=STAFF,
    )
    def list_notification_channels(self, request: Request) -> RouteAnswer:
        return self._call("notification", "list_channels")

    # --- inquiries (intake) ---------------------------------------------------------------

    @json_route(
        "GET",
        "/inquiries",
        summary="Stored inquiries with their outcome",
        query=InquiryListQuerySchema,
        returns=InquiryPageSchema,
        tag="inquiries",
        allow=INQUIRY_READERS,
    )
    def list_inquiries(self, request: Request) -> RouteAnswer:
        """Rejected ones carry their raw body and field errors. An integration sees only the inquiries
        it submitted itself (find one by the ``external_id`` it gave)."""
        return self._call("intake", "list_inquiries", _query(request))

    @json_route(
        "GET",
        "/inquiries/<inquiry_id>",
        summary="One stored inquiry",
        returns=InquiryRecordSchema,
        tag="inquiries",
        allow=INQUIRY_READERS,
    )
    def get_inquiry(self, request: Request, inquiry_id: str) -> RouteAnswer:
        return self._call("intake", "get_inquiry", inquiry_id)

    @json_route(
        "POST",
        "/inquiries",
        summary="Submit an inquiry",
        body=InquirySchema,
        returns=SubmissionSchema,
        status=202,
        tag="inquiries",
        allow=INQUIRY_SENDERS,
        also_succeeds=DUPLICATE_INQUIRY,
    )
    def submit_inquiry(self, request: Request) -> RouteAnswer:
        """202 accepted; 422 rejected with its field errors — and kept. A retry with the same
        ``Idempotency-Key`` gets the first answer again (``Idempotent-Replay: true``); an inquiry
        whose ``X-Message-Id`` was seen before (or whose key's record has expired) is answered
        200 with ``duplicate: true`` and filed once."""
        return self._submit(request, request.get_data(as_text=True), channel=None)

    @json_route(
        "POST",
        "/inquiries/batch",
        summary="Submit many inquiries at once, each answered in order",
        body=InquiryBatchSchema,
        returns=InquiryBatchResultSchema,
        tag="inquiries",
        allow=INQUIRY_SENDERS,
    )
    def submit_inquiry_batch(self, request: Request) -> RouteAnswer:
        """Up to ``BATON.intake.batch_max`` (500) inquiries; each item is accepted, a duplicate (its
        ``message_id`` — or its inquiry's ``external_id`` — seen before: filed once) or rejected with
        its field errors and kept, exactly as ``POST /inquiries`` would answer it alone. 200 whatever
        the items' outcomes; 400 only when the batch itself is not a list of 1 to batch_max items."""
        return self._call("intake", "submit_batch", _json_body(request))

    @json_route(
        "POST",
        "/channels/<channel>/inquiries",
        summary="Submit a channel's own payload",
        returns=SubmissionSchema,
        status=202,
        tag="inquiries",
        allow=INQUIRY_SENDERS,
        also_succeeds=DUPLICATE_INQUIRY,
    )
    def submit_channel_inquiry(self, request: Request, channel: str) -> RouteAnswer:
        """JSON or form-encoded, translated by the channel's connector plugin."""
        if request.mimetype in FORM_TYPES:
            body = json.dumps(request.form.to_dict(), ensure_ascii=False)
        else:
            body = request.get_data(as_text=True)
        return self._submit(request, body, channel=channel)

    # --- the audit trail ----------------------------------------------------------------------

    @json_route(
        "GET",
        "/audit",
        summary="Who changed what, when, with each field before and after",
        query=AuditQuerySchema,
        returns=AuditPageSchema,
        tag="audit",
        allow=MANAGERS,
    )
    def audit_trail(self, request: Request) -> RouteAnswer:
        """Newest first, across every service; filter by resource, record, person or time."""
        return merged_page(self._audit_page, _query(request), AuditQuerySchema)

    def _audit_page(self, service, query):
        if service == self.name:  # the gateway's own entries: users and tokens
            query = load_input(AuditQuerySchema, query)
            entries, total = self.audit_trail_store.page(**query)
            return AuditPageSchema().dump(page_of([{**e, "id": e["_id"]} for e in entries], total, query))
        return self._call(service, "audit_trail", query)

    # --- parked events -------------------------------------------------------------------------

    @json_route(
        "GET",
        "/parked-events",
        summary="Events a service's handler gave up on, with the error",
        query=ParkedEventQuerySchema,
        returns=ParkedEventPageSchema,
        tag="events",
        allow=("admin",),
    )
    def parked_events(self, request: Request) -> RouteAnswer:
        """Newest first, across every service. A handler that fails is given its event again
        (``BATON.events``); after the last attempt the event is parked here and its queue goes on."""
        return merged_page(
            lambda service, query: self._call(service, "parked_events", query),
            _query(request),
            ParkedEventQuerySchema,
            EVENT_HANDLING_SERVICES,
            "parked_at",
        )

    @json_route(
        "POST",
        "/parked-events/retry",
        summary="Hand parked events to their handlers again",
        body=RetryParkedSchema,
        returns=RetryParkedResultSchema,
        tag="events",
        allow=("admin",),
    )
    def retry_parked_events(self, request: Request) -> RouteAnswer:
        """Once the cause is fixed: the chosen ``ids`` (or every parked event, at most ``limit`` per
        service) go back on their handlers' queues; one that fails again is parked again."""
        body = _json_body(request)
        return {
            "retried": [
                parked_id
                for service in EVENT_HANDLING_SERVICES
                for parked_id in self._call(service, "retry_parked_events", body)["retried"]
            ]
        }

    # --- users and API tokens ----------------------------------------------------------------

    @json_route("GET", "/me", summary="Who the token belongs to", returns=UserSchema, tag="users", allow=EVERYONE)
    def who_am_i(self, request: Request) -> RouteAnswer:
        return self._user_view(users.existing_user(self.directory, self.caller.user_id))

    @json_route(
        "PATCH",
        "/me",
        summary="Change what a person keeps about themselves (their language)",
        body=MeUpdateSchema,
        returns=UserSchema,
        tag="users",
        allow=EVERYONE,
    )
    def update_me(self, request: Request) -> RouteAnswer:
        changes = load_input(MeUpdateSchema, _json_body(request), what="change")
        return self._user_view(users.update_user(self.directory, self.caller.user_id, changes))

    @json_route(
        "GET",
        "/people",
        summary="Everyone's name, role, department and team (names for ids)",
        returns=PeopleSchema,
        tag="users",
        allow=STAFF,
    )
    def list_people(self, request: Request) -> RouteAnswer:
        return PeopleSchema().dump({"items": [_with_id(p) for p in self.directory.people(users.MAX_PEOPLE)]})

    # --- signing in to the console -------------------------------------------------------------

    @json_route(
        "POST",
        "/sessions",
        summary="Sign in: a session token for the user id and password",
        body=SessionRequestSchema,
        returns=SessionSchema,
        status=201,
        tag="sessions",
        public=True,
        replayable=False,
        errors={
            "401": "The user id or password is wrong.",
            "429": "Too many failed sign-ins lately: details.retry_after_seconds says when to try again.",
        },
    )
    def sign_in(self, request: Request) -> RouteAnswer:
        """The token is sent like an API token (``Authorization: Bearer …``) and ends after
        ``BATON.access.session_idle_hours`` without a call, or at sign-out. Wrong credentials answer
        401; after ``sign_in_failures_allowed`` failures of a user id or an address within
        ``sign_in_window_minutes``, 429 with ``retry_after_seconds``."""
        body = load_input(SessionRequestSchema, _json_body(request), what="sign-in")
        token, user = sessions.sign_in(
            self.directory,
            self.access_settings,
            body["user_id"],
            body["password"],
            _client_address(request, self.settings),
            _now(),
        )
        return 201, SessionSchema().dump(
            {"token": token, "user": self._user_fields(user), "idle_hours": self.access_settings["session_idle_hours"]}
        )

    @json_route(
        "DELETE",
        "/sessions/current",
        summary="Sign out: the calling session ends",
        returns=SessionEndedSchema,
        tag="sessions",
        allow=EVERYONE,
    )
    def sign_out(self, request: Request) -> RouteAnswer:
        """``ended`` is false when the call was made with an API token (those are revoked instead)."""
        token = request.headers.get("Authorization", "").partition(" ")[2].strip()
        ended = sessions.sign_out(self.directory, token, _now())
        self.authenticator.forget(token)
        return {"ended": ended}

    @json_route(
        "PUT",
        "/users/<user_id>/password",
        summary="Set a password (admins) or change your own",
        body=PasswordSetSchema,
        returns=PasswordSetResultSchema,
        tag="sessions",
        allow=EVERYONE,
        replayable=False,
    )
    def set_password_route(self, request: Request, user_id: str) -> RouteAnswer:
        return self.set_password(user_id, _json_body(request))

    @json_route(
        "GET",
        "/users",
        summary="List users",
        query=PageQuerySchema,
        returns=UserPageSchema,
        tag="users",
        allow=("admin",),
    )
    def list_users(self, request: Request) -> RouteAnswer:
        return self.list_user_page(_query(request))

    @json_route(
        "POST",
        "/users",
        summary="Create a user",
        body=UserCreateSchema,
        returns=UserSchema,
        status=201,
        tag="users",
        allow=("admin",),
    )
    def create_user_route(self, request: Request) -> RouteAnswer:
        return 201, self.add_user(_json_body(request))

    @json_route(
        "PATCH",
        "/users/<user_id>",
        summary="Change a user's name, role, department, team or status",
        body=UserUpdateSchema,
        returns=UserSchema,
        tag="users",
        allow=("admin",),
    )
    def update_user_route(self, request: Request, user_id: str) -> RouteAnswer:
        return self.change_user(user_id, _json_body(request))

    @json_route(
        "GET",
        "/users/<user_id>/tokens",
        summary="A user's API tokens (never the secrets)",
        returns=TokenListSchema,
        tag="users",
        allow=EVERYONE,
    )
    def list_tokens_route(self, request: Request, user_id: str) -> RouteAnswer:
        return self.list_tokens(user_id)

    @json_route(
        "POST",
        "/users/<user_id>/tokens",
        summary="Issue an API token (shown once)",
        body=TokenRequestSchema,
        returns=IssuedTokenSchema,
        status=201,
        tag="users",
        allow=EVERYONE,
        replayable=False,
    )
    def issue_token_route(self, request: Request, user_id: str) -> RouteAnswer:
        """Admins issue tokens for anyone; a user for themselves. The token is shown once and never
        kept for a replay: an ``Idempotency-Key`` is not honoured here (a retry issues another)."""
        return 201, self.issue_token(user_id, _json_body(request))

    @json_route(
        "DELETE", "/tokens/<token_id>", summary="Revoke an API token", returns=TokenSchema, tag="users", allow=EVERYONE
    )
    def revoke_token_route(self, request: Request, token_id: str) -> RouteAnswer:
        return self.revoke_token(token_id)

    # the same over RPC, for the admin CLI (an RPC caller without an actor is the system)
    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def add_user(self, user: dict[str, Any]) -> dict[str, Any]:
        user = load_input(UserCreateSchema, user, what="user")
        created = users.create_user(self.directory, user, _now())
        users.announce(self.directory, self.dispatch, created, _now())
        return self._user_view(created)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def change_user(self, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        changes = load_input(UserUpdateSchema, changes, what="change")
        changed = users.update_user(self.directory, user_id, changes)
        users.announce(self.directory, self.dispatch, changed, _now())
        return self._user_view(changed)

    @timer(interval=ANNOUNCE_RETRY_SECONDS)
    def announce_pending_users(self) -> None:
        """Users whose user_saved could not go out when they were saved (see users.announce)."""
        for user in self.directory.unannounced_users(ANNOUNCE_BATCH):
            users.announce(self.directory, self.dispatch, user, _now())

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_password(self, user_id: str, request: dict[str, Any]) -> dict[str, Any]:
        request = load_input(PasswordSetSchema, request, what="password")
        return PasswordSetResultSchema().dump(
            sessions.set_password(
                self.directory, self.caller, user_id, request["password"], request.get("current_password"), _now()
            )
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_user_page(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        query = load_input(PageQuerySchema, query)
        users, total = self.directory.page_of_users(query["limit"], query["offset"])
        return UserPageSchema().dump(page_of([self._user_fields(u) for u in users], total, query))

    def _user_fields(self, user):
        return {**_with_id(user), "password_set": self.directory.has_password(user["_id"])}

    def _user_view(self, user):
        return UserSchema().dump(self._user_fields(user))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def issue_token(self, user_id: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
        request = load_input(TokenRequestSchema, request, what="token request")
        return IssuedTokenSchema().dump(
            _with_id(users.issue_token(self.directory, self.caller, user_id, request["label"], _now()))
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_tokens(self, user_id: str) -> dict[str, Any]:
        return TokenListSchema().dump(
            {"items": [_with_id(t) for t in users.tokens_of(self.directory, self.caller, user_id)]}
        )

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def revoke_token(self, token_id: str) -> dict[str, Any]:
        return TokenSchema().dump(_with_id(users.revoke_token(self.directory, self.caller, token_id, _now())))

    # --- contracts and the API's own description --------------------------------------------

    @json_route(
        "GET", "/contracts", summary="The published JSON Schemas", returns=ContractListSchema, tag="system", public=True
    )
    def list_contracts(self, request: Request) -> RouteAnswer:
        return {"contracts": sorted(jsonschema.PUBLISHED)}

    @json_route("GET", "/contracts/<name>", summary="One published JSON Schema", tag="system", public=True)
    def get_contract(self, request: Request, name: str) -> RouteAnswer:
        if name not in jsonschema.PUBLISHED:
            raise NotFound.of("contract", name)
        return jsonschema.to_json_schema(jsonschema.PUBLISHED[name])

    @json_route(
        "GET",
        "/plugins",
        summary="The plugins installed and enabled, with their health",
        returns=PluginListSchema,
        tag="system",
        allow=MANAGERS,
    )
    def list_plugins(self, request: Request) -> RouteAnswer:
        """Each enabled plugin with its hooks and what a trial of its declarations found."""
        return PluginListSchema().dump({"plugins": self.plugins.health()})

    @json_route(
        "POST",
        "/admin/configuration/check",
        summary="Whether every service would load a configuration file",
        body=ConfigurationCheckRequestSchema,
        returns=ConfigurationCheckSchema,
        tag="system",
        allow=("admin",),
        errors={"422": "The text is not YAML: details.fields.yaml, details.line and details.column say where."},
    )
    def check_configuration(self, request: Request) -> dict:
        """Each service checks the sections it reads with its own schemas, as at start-up (``${VAR:default}``
        as its environment gives it), and names each setting it would refuse with the reason; nothing is loaded."""
        proxies = {name: proxy for name, proxy in self._service_proxies().items() if name != "gateway"}
        return configuration_check.configuration_report(
            partial(configuration_check.gateway_problems, type(self)),
            proxies,
            _json_body(request),
            self.settings["rpc_timeout_seconds"],
        )

    @json_route("GET", "/openapi.json", summary="This API as an OpenAPI 3.1 document", tag="system", public=True)
    def openapi_document(self, request: Request) -> RouteAnswer:
        return openapi.document(type(self))

    @json_route("GET", "/docs", summary="Interactive API documentation", tag="system", public=True)
    def docs_page(self, request: Request) -> RouteAnswer:
        return openapi.docs_page()

    # --- the web console (web/dist) -------------------------------------------------------------

    @console_file("/")
    def console_index(self, request: Request) -> None:
        """Served by ConsoleFiles itself: no worker runs."""

    @console_file("/<path:path>")
    def console_page(self, request: Request, path: str) -> None:
        """Served by ConsoleFiles itself: no worker runs."""

    def _service_proxies(self):
        return {
            "intake": self.intake,
            "profile": self.profile,
            "handoff": self.handoff,
            "pool": self.pool,
            "notification": self.notification,
            "gateway": self.gateway_rpc,
        }

    def _deal_step(self, request, customer_id, kind):
        return self._call(
            "profile", "record_deal_step", customer_id, kind, _json_body(request), record_id=_idempotency_key(request)
        )

    def _submit(self, request, body, channel):
        message_id = _idempotency_key(request)
        outcome = self._call("intake", "submit_inquiry", body, message_id=message_id, channel=channel)
        if outcome["status"] == "rejected":
            return error_response(
                "invalid_input",
                "The inquiry was rejected and stored with its errors.",
                {"fields": outcome["errors"], "inquiry_id": outcome["id"]},
                status=422,
            )
        return (200 if outcome["duplicate"] else 202), outcome

    def _call(self, service: str, method: str, *args: Any, **kwargs: Any) -> Any:
        timeout = self.settings["rpc_timeout_seconds"]
        try:
            with eventlet.Timeout(
                timeout,
                ServiceUnavailable(f"The {service} service did not answer within {timeout:g} s.", {"service": service}),
            ):
                return getattr(getattr(self, service), method)(*args, **kwargs)
        except UnknownService:
            raise ServiceUnavailable(f"The {service} service is not running.", {"service": service}) from None


def _with_id(document):
    """A stored user or token as its schema shows it (``_id`` as ``id``)."""
    return {**document, "id": document["_id"]}


def _now() -> datetime:
    return datetime.now(UTC)


def _client_address(request, settings):
    """The address a sign-in came from: the connection's, or, from a proxy we trust, the last
    address it added to X-Forwarded-For."""
    address = request.remote_addr
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
    if forwarded and address in settings["trusted_proxies"]:
        return forwarded[-1]
    return address


def _query(request: Request) -> dict[str, Any]:
    return request.args.to_dict()


def _idempotency_key(request: Request) -> str | None:
    return next((request.headers[h] for h in IDEMPOTENCY_HEADERS if h in request.headers), None)


def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The body is not valid JSON: {exc.msg}.", {"fields": {"_body": [exc.msg]}}) from exc
    if not isinstance(body, dict):
        raise InvalidInput("Expected a JSON object.", {"fields": {"_body": ["Expected a JSON object."]}})
    return body
