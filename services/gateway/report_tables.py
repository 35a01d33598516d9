"""Each report's answer laid out as the tables of its export (``format=csv|xlsx``): the same figures
as the JSON, row by row, with people's names beside their ids. Layout only: no figure is computed."""

from collections.abc import Callable

from services.gateway.exports import Table

ALL = "(all)"  # the row of every place, channel or person together
NameOf = Callable[[str], str]


def inquiries_tables(report: dict, name_of: NameOf) -> list[Table]:
    rows = []
    for month in report["months"]:
        rows.append([month["month"], ALL, ALL, "", *_month_on_month(month)])
        rows += [
            [
                month["month"],
                place.get("place") or "",
                place.get("name") or place.get("place") or "",
                place.get("region") or "",
                *_month_on_month(place),
            ]
            for place in month["places"]
        ]
    return [
        Table(
            "inquiries",
            ("month", report["by"], "name", "region", "inquiries", "previous", "change", "change_pct"),
            rows,
        )
    ]


def demand_tables(report: dict, name_of: NameOf) -> list[Table]:
    needs = [
        [ALL, ALL, report["customers"], need["need"], need["customers"], need.get("share_pct")]
        for need in report["needs"]
    ]
    for place in report["places"]:
        needs += [
            [
                place.get("place") or "",
                place.get("name") or place.get("place") or "",
                place["customers"],
                need["need"],
                need["customers"],
                need.get("share_pct"),
            ]
            for need in place["needs"]
        ]
    products = [[p["product"], p["inquiries"], p["customers"]] for p in report["products"]]
    return [
        Table("needs", (report["by"], "name", "customers", "need", "customers_asking", "share_pct"), needs),
        Table("products", ("product", "inquiries", "customers"), products),
    ]


def follow_up_tables(report: dict, name_of: NameOf) -> list[Table]:
    rows = [[person["salesperson"], name_of(person["salesperson"]), *_follow_up(person)] for person in report["people"]]
    rows.append([ALL, ALL, *_follow_up(report["overall"])])
    return [Table("follow-up", ("salesperson", "name", "samples", "average_days", "median_days", "waiting"), rows)]


def conversion_tables(report: dict, name_of: NameOf) -> list[Table]:
    rows = []
    for channel in report["channels"]:
        rows.append([channel["channel"], ALL, *_conversion(channel)])
        rows += [
            [channel["channel"], campaign.get("campaign") or "", *_conversion(campaign)]
            for campaign in channel["campaigns"]
        ]
    rows.append([ALL, ALL, *_conversion(report["total"])])
    return [Table("conversion", ("channel", "campaign", "opened", "converted", "rate_pct"), rows)]


def handoff_tables(report: dict, name_of: NameOf) -> list[Table]:
    summary = [
        [
            report["handoffs"],
            report["accepted"],
            report["returned"],
            report.get("return_rate"),
            report["refused"],
            report["info_pending"],
            report["info_completed_late"],
            len(report["overdue"]),
        ]
    ]
    people = [
        [
            p["name"],
            name_of(p["name"]),
            p.get("department") or "",
            p["sent"],
            p["returned"],
            p.get("return_rate"),
            p["refused"],
            p["ready_to_submit_hours"].get("median"),
            p["received"],
            p["signed"],
            p["returns_made"],
            p["submit_to_sign_hours"].get("median"),
        ]
        for p in report["people"]
    ]
    kinds = [
        [k["kind"], k["handoffs"], k.get("return_rate"), k["submit_to_accept_hours"].get("median")]
        for k in report["kinds"]
    ]
    missing = [[m["item"], m["count"]] for m in report["missing_items"]]
    return [
        Table(
            "summary",
            (
                "handoffs",
                "accepted",
                "returned",
                "return_rate",
                "refused",
                "info_pending",
                "info_completed_late",
                "overdue",
            ),
            summary,
        ),
        Table(
            "people",
            (
                "person",
                "name",
                "department",
                "sent",
                "returned",
                "return_rate",
                "refused",
                "ready_to_submit_median_hours",
                "received",
                "signed",
                "returns_made",
                "submit_to_sign_median_hours",
            ),
            people,
        ),
        Table("kinds", ("kind", "handoffs", "return_rate", "submit_to_accept_median_hours"), kinds),
        Table("missing items", ("item", "count"), missing),
    ]


def lost_reasons_tables(report: dict, name_of: NameOf) -> list[Table]:
    lost = [[r["stage"], r["reason"], r["count"]] for r in report["lost"]["reasons"]]
    rejected = [[r["reason"], r["count"]] for r in report["rejected_in_pool"]["reasons"]]
    return [Table("lost", ("stage", "reason", "count"), lost), Table("rejected in pool", ("reason", "count"), rejected)]


def _month_on_month(figures: dict) -> list:
    return [figures["inquiries"], figures["previous"], figures["change"], figures.get("change_pct")]


def _follow_up(figures: dict) -> list:
    return [figures["samples"], figures.get("average_days"), figures.get("median_days"), figures["waiting"]]


def _conversion(figures: dict) -> list:
    return [figures["opened"], figures["converted"], figures.get("rate_pct")]
