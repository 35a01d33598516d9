"""Who reads which stored inquiries (intake's rules, no I/O)."""

import pytest

from contracts.errors import Forbidden
from services.intake.reading import check_readable, submitter_scope
from services.runtime.access import Actor

WEB = Actor("web", "integration")
SHOP = Actor("shop", "integration")
MIA = Actor("mia", "member", "marketing")
SAM = Actor("sam", "member", "service")
ALICE = Actor("alice", "member", "sales", "default")
MEIER = Actor("meier", "manager", "sales", "default")


def test_readers_of_marketing_s_records_see_every_inquiry_and_an_integration_its_own():
    assert [submitter_scope(actor) for actor in (None, MIA, SAM, MEIER, Actor("root", "admin"))] == [None] * 5
    assert (submitter_scope(WEB), submitter_scope(SHOP)) == ("web", "shop")


def test_a_salesperson_reads_no_inquiry():
    with pytest.raises(Forbidden, match="alice .* may not read inquiries"):
        submitter_scope(ALICE)


def test_an_integration_reads_what_it_submitted_and_is_refused_another_s():
    mine, theirs, by_amqp = ({"_id": f"inq_{n}", "submitted_by": who} for n, who in enumerate(("web", "shop", None)))
    check_readable(WEB, mine)
    for record in (theirs, by_amqp):
        with pytest.raises(Forbidden, match="only the inquiries it submitted itself"):
            check_readable(WEB, record)
    for reader in (MIA, SAM, MEIER, None):
        check_readable(reader, theirs)
