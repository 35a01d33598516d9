"""Who is calling: users, their departments and roles, API tokens, and the audit trail.

The gateway authenticates each HTTP call by its token and passes the caller on as the
``actor`` of every RPC and event that call causes (nameko context data); each service then
applies the access policy to its own data. An internal caller without an actor (a service
handling an event, the admin CLI) acts as the system.
"""

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from contracts.base import OutputSchema
from contracts.paging import PageQuerySchema, page_schema

# marketing, sales and service hold customers in turn; tech and production join for high-value
# teams and gated steps (e.g. production may not start before the voltage is recorded).
DEPARTMENTS = ("marketing", "sales", "service", "tech", "production")
# member and manager belong to a department; admin and integration need none (an integration
# is a system that publishes inquiries over HTTP with a token of its own).
ROLES = ("member", "manager", "admin", "integration")
# Who may, named once for the gateway's first fence and each service's own checks: roles,
# departments or department:role.
MANAGERS = ("manager", "admin")
SELLERS = ("sales", *MANAGERS)
SCREENERS = ("marketing", *MANAGERS)  # who screens leads (初筛)
REPORT_READERS = MANAGERS
MARKETING_REPORT_READERS = ("marketing", *MANAGERS)  # also the two reports that settle its disputes with sales
# Marketing's original records, read by service too (never to change them); an integration reads
# only the inquiries it submitted (intake decides).
INQUIRY_READERS = ("marketing", "service", *MANAGERS, "integration")
EVERY_CUSTOMER = ("marketing", "sales")  # the departments that hold every customer
USER_ID = validate.Regexp(r"\A[A-Za-z0-9_.-]{1,64}\Z", error="Use letters, digits, '.', '_' and '-' (max 64).")
ACTOR_CONTEXT_KEY = "actor"
# The languages the console and the messages people read come in.
LANGUAGES = ("zh-CN", "en")
PASSWORD = validate.Length(min=10, max=200, error="Use 10 to 200 characters.")


def acting_user_field(who: str = "Who does it") -> fields.String:
    """The ``by`` of a request: optional, because an authenticated caller is who does it."""
    return fields.String(
        load_default=None,
        validate=USER_ID,
        metadata={"description": f"{who}: the caller by default; a manager or admin may name someone else."},
    )


class ActorSchema(Schema):
    """The caller, as every service receives it with a request."""

    class Meta:
        unknown = RAISE

    user_id = fields.String(required=True, validate=USER_ID)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    department = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(DEPARTMENTS))
    team = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=64))


class UserCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=USER_ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    department = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(DEPARTMENTS))
    team = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Salespeople see their team's pool."},
    )
    email = fields.Email(allow_none=True, load_default=None)

    @validates_schema
    def department_fits_role(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["role"] in ("member", "manager") and not data.get("department"):
            raise ValidationError(
                f"A {data['role']} belongs to a department: one of {', '.join(DEPARTMENTS)}.", field_name="department"
            )


class UserUpdateSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(validate=validate.Length(min=1, max=200))
    role = fields.String(validate=validate.OneOf(ROLES))
    department = fields.String(allow_none=True, validate=validate.OneOf(DEPARTMENTS))
    team = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    email = fields.Email(allow_none=True)
    active = fields.Boolean(metadata={"description": "False: every token of the user stops working."})


class UserSchema(OutputSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    department = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)
    language = fields.String(
        allow_none=True,
        dump_default=None,
        metadata={"description": "The language the person chose (zh-CN or en); null: their browser's."},
    )
    password_set = fields.Boolean(dump_default=False, metadata={"description": "Whether they can sign in."})
    sign_in_ends_at = fields.AwareDateTime(
        allow_none=True,
        dump_default=None,
        metadata={
            "description": "A leaver's: from then on they can no longer sign in or use their tokens (set when their last "
            "customer has moved, or at the date their manager gave)."
        },
    )


UserPageSchema = page_schema(UserSchema)


class MeUpdateSchema(Schema):
    """What a person changes about themselves."""

    class Meta:
        unknown = RAISE

    language = fields.String(
        allow_none=True,
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "zh-CN or en; null: follow the browser."},
    )


class PersonSchema(OutputSchema):
    """A colleague as anyone may see them: enough to show a name for an id."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    department = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    active = fields.Boolean(required=True)


class PeopleSchema(OutputSchema):
    items = fields.List(fields.Nested(PersonSchema), required=True)


class PasswordSetSchema(Schema):
    """A new password: an admin sets anyone's; a person changes their own with the current one."""

    class Meta:
        unknown = RAISE

    password = fields.String(required=True, validate=PASSWORD, load_only=True)
    current_password = fields.String(
        validate=validate.Length(max=200),
        load_only=True,
        metadata={"description": "Required when changing your own password (admins setting another's need none)."},
    )


class PasswordSetResultSchema(OutputSchema):
    user_id = fields.String(required=True)
    password_set_at = fields.AwareDateTime(required=True)


class SessionRequestSchema(Schema):
    """Signing in with a user id and password."""

    class Meta:
        unknown = RAISE

    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class SessionSchema(OutputSchema):
    """A session just opened: ``token`` is sent as 'Authorization: Bearer <token>' like an API token."""

    token = fields.String(required=True)
    user = fields.Nested(UserSchema, required=True)
    idle_hours = fields.Float(
        required=True,
        metadata={"description": "The session ends after this long without a call (BATON.access.session_idle_hours)."},
    )


class SessionEndedSchema(OutputSchema):
    ended = fields.Boolean(required=True)


class TokenRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    label = fields.String(
        load_default="api",
        validate=validate.Length(min=1, max=100),
        metadata={"description": "What the token is for, e.g. 'laptop' or 'website form'."},
    )


class TokenSchema(OutputSchema):
    """An API token as listed: never the secret, which is stored only as a hash."""

    id = fields.String(required=True)
    user_id = fields.String(required=True)
    label = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    revoked_at = fields.AwareDateTime(allow_none=True)
    last_used_at = fields.AwareDateTime(allow_none=True)


class IssuedTokenSchema(TokenSchema):
    """A token just issued: ``token`` is shown this once and cannot be read again."""

    token = fields.String(required=True, metadata={"description": "Send as 'Authorization: Bearer <token>'."})


class TokenListSchema(OutputSchema):
    items = fields.List(fields.Nested(TokenSchema), required=True)


class AuditEntrySchema(OutputSchema):
    """One change: who, when, what, and each field's value before and after."""

    id = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    service = fields.String(required=True)
    resource = fields.String(required=True, metadata={"description": "e.g. customer, holding, handoff, user."})
    resource_id = fields.String(required=True)
    action = fields.String(required=True, metadata={"description": "What was called, e.g. 'claim'."})
    actor = fields.String(required=True, metadata={"description": "The user, or 'system'."})
    actor_role = fields.String(allow_none=True)
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        required=True,
        metadata={"description": "field -> {before, after}; a created or deleted record lists every field."},
    )


class AuditQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    resource_id = fields.String(validate=validate.Length(max=100))
    resource = fields.String(validate=validate.Length(max=50))
    actor = fields.String(validate=validate.Length(max=64))
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()


AuditPageSchema = page_schema(AuditEntrySchema)
