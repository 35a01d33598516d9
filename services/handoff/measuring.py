"""The handoff KPIs over a period: the handoffs submitted in it and the submissions refused."""

from datetime import timedelta

from services.handoff.domain.measures import measures

DEFAULT_PERIOD = timedelta(days=90)


def measures_between(store, policy, query, now):
    until = query.get("until") or now
    since = query.get("since") or until - DEFAULT_PERIOD
    kind = query.get("kind")
    figures = measures(
        store.submitted_between(since, until, kind),
        store.refused_between(since, until, kind),
        policy["directory"].department_of,
        now,
    )
    return {"since": since, "until": until, "kind": kind, **figures}
