from services.handoff.domain.checklists import ChecklistPolicy, marketing_to_sales

POLICY = ChecklistPolicy(vague_phrases=("想合作", "wants to cooperate", "interested"))


def archive(**overrides):
    base = {"company": "Acme GmbH", "contacts": [{"name": "Jane", "email": "jane@acme.de"}],
            "sources": [{"channel": "google_ads", "inquiry_id": "inq_1"}], "needs": ["2,000 pcs of model X"],
            "communications": [{"method": "phone", "summary": "called", "result": "asked for a quote by Friday"}]}
    return {**base, **overrides}


def verdicts(record):
    return {item.name: (item.passed, item.reason) for item in marketing_to_sales(record, POLICY)}


def test_a_complete_lead_passes_every_item():
    assert all(passed for passed, _ in verdicts(archive()).values())


def test_each_missing_item_says_what_is_missing():
    result = verdicts(archive(company=None, contacts=[{"title": "Buyer"}], sources=[], needs=[], communications=[]))
    assert result["source_recorded"] == (False, "No source channel is recorded.")
    assert result["basic_info_complete"] == (False, "Missing: company, contact name, email or phone.")
    assert result["need_is_specific"] == (False, "No need is recorded.")
    assert result["contact_attempted"] == (False, "No contact attempt with its result is recorded.")


def test_a_vague_need_fails_in_chinese_and_english():
    for need, phrase in (("我们想合作", "想合作"), ("We are INTERESTED in your products", "interested")):
        passed, reason = verdicts(archive(needs=[need]))["need_is_specific"]
        assert not passed and f"'{phrase}'" in reason


def test_a_vague_word_beside_a_quantity_is_specific_enough():
    assert verdicts(archive(needs=["interested in 500 sets"]))["need_is_specific"][0]
    assert verdicts(archive(needs=["想合作，先订两千件"]))["need_is_specific"][0]


def test_the_latest_need_is_judged():
    assert not verdicts(archive(needs=["2,000 pcs", "wants to cooperate"]))["need_is_specific"][0]
