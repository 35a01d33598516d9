"""A leaver's sign-in ends (handoff's leaver_sign_in_ends): when their last customer has moved,
or at the date their manager gave. From then on their console sessions and API tokens are
refused; the user stays in the directory (history names them), active or not as admins set it."""

from datetime import datetime

from services.gateway.directory import Directory
from services.runtime.guarded import change_guarded


def end_sign_in(directory: Directory, user_id: str, at: datetime) -> None:
    """Keep the earliest end said (an event told twice, or a date given after the last customer
    moved, changes nothing). A user unknown here is left alone: nothing of theirs to refuse."""

    def change(user):
        ends = user.get("sign_in_ends_at")
        if ends is not None and ends <= at:
            return None
        return {**user, "sign_in_ends_at": at}

    change_guarded(directory.user, directory.replace_user, user_id, change)


def may_sign_in(user: dict | None, now: datetime) -> bool:
    """An active user whose sign-in has not ended."""
    if user is None or not user["active"]:
        return False
    ends = user.get("sign_in_ends_at")
    return ends is None or now < ends


def refusal(user_id: str, user: dict | None) -> str:
    """Why ``user_id`` may not sign in (``may_sign_in`` said no)."""
    if user is not None and user["active"] and user.get("sign_in_ends_at") is not None:
        return f"The user {user_id} has left: their sign-in ended at {user['sign_in_ends_at']:%Y-%m-%d %H:%M} UTC."
    return f"The user {user_id} is not active."
