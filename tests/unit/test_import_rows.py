"""Reading inquiry files and mapping their rows (no I/O beyond temporary files)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import Workbook

from cli.import_file import ImportError_, load_mapping
from contracts.inquiry import InquirySchema
from services.runtime.import_rows import UnreadableFile, inquiry_time, read_rows, row_key, to_inquiry

ALIBABA_CSV = (
    "Buyer Name,Email,Company,Country/Region,Product Name,Inquiry Content,Quantity\n"
    'Jane Doe,jane@acme.de,Acme GmbH,Germany,"LED panel, LED tube",Need CE,2000 pcs\n\n'
)


def test_an_alibaba_row_becomes_a_valid_inquiry(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(ALIBABA_CSV, encoding="utf-8-sig")
    header, rows = read_rows(path)
    assert header[0] == "Buyer Name" and len(rows) == 1
    inquiry = to_inquiry(rows[0], load_mapping("alibaba"))
    assert inquiry == {
        "schema_version": 1,
        "channel": "alibaba",
        "initial_behaviour": "sent an Alibaba.com inquiry",
        "contact": {"name": "Jane Doe", "email": "jane@acme.de"},
        "company": "Acme GmbH",
        "country": "Germany",
        "products": ["LED panel", "LED tube"],
        "message": "Need CE\nQuantity: 2000 pcs",
    }
    assert InquirySchema().validate(inquiry) == {}


def test_a_chinese_export_in_gb18030_is_read(tmp_path):
    path = tmp_path / "询盘.csv"
    path.write_bytes(
        "买家姓名,邮箱,公司名称,询盘内容\n王伟,wang@huada.cn,广州华达贸易有限公司,需要2000件\n".encode("gb18030")
    )
    _, rows = read_rows(path)
    inquiry = to_inquiry(rows[0], load_mapping("alibaba"))
    assert (inquiry["company"], inquiry["message"]) == ("广州华达贸易有限公司", "需要2000件")


def test_an_xlsx_card_list_is_read(tmp_path):
    book = Workbook()
    book.active.append(["Name", "Email", "Company", "Mobile", "Notes"])
    book.active.append(["Hans Meier", "hans@bolt.de", "Bolt GmbH", 491701234567, "wants samples"])
    book.active.append([None, None, None, None, None])
    book.save(tmp_path / "cards.xlsx")
    _, rows = read_rows(tmp_path / "cards.xlsx")
    assert len(rows) == 1
    inquiry = to_inquiry(rows[0], load_mapping("trade_show"))
    assert inquiry["contact"] == {"name": "Hans Meier", "email": "hans@bolt.de", "phone": "491701234567"}
    assert inquiry["message"] == "Notes: wants samples"


def test_the_row_key_follows_the_content_not_the_position():
    a = {"Email": "jane@acme.de", "Company": "Acme"}
    assert row_key("alibaba", a) == row_key("alibaba", {"Company": "Acme ", "Email": "jane@acme.de"})
    assert row_key("alibaba", a) != row_key("alibaba", {**a, "Company": "Bolt"})


def test_bad_files_and_mappings_are_named(tmp_path):
    with pytest.raises(UnreadableFile, match="only .csv and .xlsx"):
        read_rows(tmp_path / "x.pdf")
    with pytest.raises(ImportError_, match="no mapping 'ebay'"):
        load_mapping("ebay")
    bad = tmp_path / "bad.yaml"
    bad.write_text("channel: x\ncolumns: {Email: contact.mail}\n")
    with pytest.raises(ImportError_, match="unknown targets"):
        load_mapping(str(bad))


def test_progress_on_a_long_file_says_how_far_how_fast_and_how_long_is_left():
    from cli.import_file import progress_line

    assert progress_line(150, 2000, 4.0) == "sent 150/2000 rows (8%), 38 rows/s, about 49 s left"
    assert progress_line(2000, 2000, 50.0) == "sent 2000/2000 rows (100%), 40 rows/s"


def test_the_file_s_inquiry_time_fills_occurred_at_in_the_export_s_time_zone(tmp_path):
    path = tmp_path / "询盘.csv"
    path.write_text(
        "买家姓名,邮箱,询盘内容,询盘时间\n王伟,wang@huada.cn,需要2000件,2025/12/31 23:30\n", encoding="utf-8"
    )
    _, rows = read_rows(path)
    inquiry = to_inquiry(rows[0], load_mapping("alibaba"))
    assert inquiry["occurred_at"] == "2025-12-31T23:30:00+08:00"  # December in China, whatever the clock here
    assert InquirySchema().validate(inquiry) == {}


@pytest.mark.parametrize(
    "written, read",
    [
        ("2026-03-05 14:22:10", "2026-03-05T14:22:10+08:00"),
        ("2026/3/5 9:05", "2026-03-05T09:05:00+08:00"),
        ("2026.03.05", "2026-03-05T00:00:00+08:00"),
        ("2026年3月5日 14:22", "2026-03-05T14:22:00+08:00"),
        ("2026-03-05T14:22:10+01:00", "2026-03-05T14:22:10+01:00"),  # its own offset wins
        ("2026-03-05 14:22:10Z", "2026-03-05T14:22:10+00:00"),
        ("2026-02-30", "2026-02-30"),  # no such day: left as written, so the contract names the field
        ("05/03/2026", "05/03/2026"),  # day or month first? only a date_format can say
        ("last week", "last week"),
    ],
)
def test_inquiry_times_are_read_year_first_with_or_without_an_offset(written, read):
    assert inquiry_time(written, "Asia/Shanghai") == read


def test_a_day_first_export_names_its_date_format_and_an_unreadable_time_is_refused_by_the_contract():
    assert inquiry_time("05/03/2026 14:22", "Europe/Berlin", "%d/%m/%Y %H:%M") == "2026-03-05T14:22:00+01:00"
    mapping = {
        "channel": "trade_show",
        "time_zone": "Asia/Shanghai",
        "columns": {"Email": "contact.email", "Date": "occurred_at"},
    }
    inquiry = to_inquiry({"Email": "a@acme.de", "Date": "soon"}, mapping)
    assert InquirySchema().validate(inquiry) == {"occurred_at": ["Not a valid datetime."]}


def test_a_mapping_that_reads_times_must_say_whose_clock_they_are_on(tmp_path):
    mapping = tmp_path / "times.yaml"
    mapping.write_text("channel: x\ncolumns: {Email: contact.email, When: occurred_at}\n")
    with pytest.raises(ImportError_, match="'occurred_at' needs 'time_zone'"):
        load_mapping(str(mapping))
    mapping.write_text("channel: x\ntime_zone: Mars/Olympus\ncolumns: {When: occurred_at}\n")
    with pytest.raises(ImportError_, match="'Mars/Olympus' is none"):
        load_mapping(str(mapping))


class FakeApi:
    """The gateway as the importer sees it: each row filed at once into the customer named (the
    first row opened its customer, the others joined theirs; a customer named twice is flagged)."""

    def __init__(self, customers, rejected=(), reads_customers=True, flagged=()):
        self.customers, self.rejected, self.reads_customers = customers, set(rejected), reads_customers
        self.flagged = set(flagged)
        self.posted, self.calls = [], []

    def call(self, method, path, body=None, headers=None):
        self.calls.append((method, path.split("?")[0]))
        if (method, path) == ("POST", "/inquiries/batch"):
            self.posted += [item["inquiry"] for item in body["items"]]
            first = len(self.posted) - len(body["items"])
            return 200, {
                "items": [
                    {
                        "index": n,
                        "id": f"inq_{first + n + 1}",
                        "outcome": "accepted",
                        "status": "accepted",
                        "errors": {},
                    }
                    for n in range(len(body["items"]))
                ]
            }
        if method == "GET" and path.startswith("/inquiries?"):
            ids = parse_qs(urlsplit(path).query)["ids"][0].split(",")
            return 200, {"items": [self._filed(int(i.rsplit("_", 1)[1])) | {"id": i} for i in ids]}
        if path.startswith("/customers/"):
            if not self.reads_customers:
                return 403, {"error": {"code": "forbidden"}}
            return 200, {"id": path.rsplit("/", 1)[1], "possible_duplicates": ["cus_twin"]}
        if path == "/pool/contact-status":
            return 200, {
                "items": [
                    {
                        "customer_id": c,
                        "do_not_contact": c in self.rejected,
                        "reason": "rejected: asked us to stop" if c in self.rejected else "owned",
                    }
                    for c in body["customer_ids"]
                ]
            }
        raise AssertionError(path)

    def _filed(self, number):
        customer_id = self.customers[number - 1]
        filed_as = "merged" if number > 1 else ("flagged" if customer_id in self.flagged else "created")
        return {"customer_id": customer_id, "filed_as": filed_as}


def backlog(tmp_path, rows=2):
    path = tmp_path / "backlog.csv"
    path.write_text("Email,Company\n" + "".join(f"b{n}@acme{n}.de,Acme {n}\n" for n in range(rows)), encoding="utf-8")
    return path


def test_into_the_pool_every_row_asks_not_to_be_allocated(tmp_path):
    from cli.import_file import import_file

    api = FakeApi(["cus_new", "cus_old"])
    import_file(api, backlog(tmp_path), load_mapping("alibaba"), wait_seconds=5, progress=None, into_pool=True)
    assert [body["allocate"] for body in api.posted] == [False, False]
    plain = FakeApi(["cus_new", "cus_old"])
    import_file(plain, backlog(tmp_path), load_mapping("alibaba"), wait_seconds=5, progress=None)
    assert all("allocate" not in body for body in plain.posted)


def test_a_row_merged_into_a_do_not_contact_customer_is_reported_as_such(tmp_path):
    import io

    from cli.import_file import import_file, report

    path = backlog(tmp_path)
    _, missing, outcomes = import_file(
        FakeApi(["cus_new", "cus_old"], rejected={"cus_old"}),
        path,
        load_mapping("alibaba"),
        wait_seconds=5,
        progress=None,
    )
    assert [(o["outcome"], o.get("do_not_contact")) for o in outcomes] == [
        ("created", None),
        ("merged", "rejected: asked us to stop"),
    ]
    out = io.StringIO()
    report(path, missing, outcomes, out)
    assert "     1 of them into do-not-contact (rejected) customers" in out.getvalue()
    assert "row 3: merged into cus_old, a do-not-contact customer (rejected: asked us to stop)" in out.getvalue()


def test_with_a_token_that_reads_no_customers_rows_are_still_told_created_or_merged(tmp_path):
    from cli.import_file import import_file

    api = FakeApi(["cus_new", "cus_old"], rejected={"cus_old"}, reads_customers=False)
    _, _, outcomes = import_file(api, backlog(tmp_path), load_mapping("alibaba"), wait_seconds=5, progress=None)
    assert [(o["outcome"], o.get("do_not_contact")) for o in outcomes] == [
        ("created", None),
        ("merged", "rejected: asked us to stop"),
    ]


def test_rows_go_in_batches_and_are_looked_up_in_batches_not_one_call_each(tmp_path):
    import io

    from cli.import_file import import_file, report

    path = backlog(tmp_path, rows=7)
    api = FakeApi([f"cus_{n}" for n in range(7)], flagged={"cus_0"})
    progress = io.StringIO()
    _, missing, outcomes = import_file(
        api, path, load_mapping("alibaba"), wait_seconds=5, progress=progress, batch_size=3
    )
    assert [o["row"] for o in outcomes] == list(range(2, 9)) and len(api.posted) == 7
    assert api.calls.count(("POST", "/inquiries/batch")) == 3 and api.calls.count(("GET", "/inquiries")) == 1
    assert outcomes[0]["outcome"] == "flagged" and outcomes[0]["candidates"] == ["cus_twin"]
    assert "sent 7/7 rows (100%)" in progress.getvalue()
    out = io.StringIO()
    report(path, missing, outcomes, out)
    assert "row 2: cus_0 may duplicate cus_twin" in out.getvalue() and "     6 merged" in out.getvalue()


def test_long_rows_are_sent_in_smaller_batches_so_a_call_stays_within_the_body_limit(tmp_path, monkeypatch):
    from cli import import_file as importer

    monkeypatch.setattr(importer, "BATCH_BYTES", 1300)  # two rows of ~550 bytes
    path = tmp_path / "long.csv"
    path.write_text(
        "Email,Company,Inquiry Content\n" + "".join(f"b{n}@acme{n}.de,Acme {n},{'x' * 400}\n" for n in range(5)),
        encoding="utf-8",
    )
    api = FakeApi([f"cus_{n}" for n in range(5)])
    _, _, outcomes = importer.import_file(api, path, load_mapping("alibaba"), wait_seconds=5, progress=None)
    assert len(outcomes) == 5 and api.calls.count(("POST", "/inquiries/batch")) == 3  # 2 + 2 + 1 rows


class SlowFiling:
    """Inquiries filed in the order sent, ``per_round`` more between two rounds of asking (a round
    starts with the oldest still waiting), whatever is asked; ``never`` stay unfiled."""

    def __init__(self, per_round, never=()):
        self.per_round, self.never, self.filed_up_to, self.asked = per_round, set(never), 0, []

    def call(self, method, path, body=None, headers=None):
        ids = parse_qs(urlsplit(path).query)["ids"][0].split(",")
        numbers = {i: int(i.rsplit("_", 1)[1]) for i in ids}
        if not self.asked or numbers[ids[0]] <= self.filed_up_to + 1 or ids[0] in self.never:
            self.filed_up_to += self.per_round
        self.asked.append(ids)
        return 200, {
            "items": [
                {"id": i, "customer_id": f"cus_{n}", "filed_as": "created"}
                if n <= self.filed_up_to and i not in self.never
                else {"id": i}
                for i, n in numbers.items()
            ]
        }


def test_while_filing_goes_on_only_the_oldest_waiting_rows_are_asked_after(monkeypatch):
    from cli import import_file as importer

    monkeypatch.setattr(importer, "POLL_SECONDS", 0)
    pending = [{"id": f"inq_{n}", "outcome": None} for n in range(1, 1001)]
    api = SlowFiling(per_round=100)
    importer._classify(api, pending, wait_seconds=5)
    assert all(o["outcome"] == "created" for o in pending)
    # asking after every waiting row each round reads 5,500 inquiries here (1,000 + 900 + … + 100)
    assert sum(len(ids) for ids in api.asked) <= 2_000


def test_an_inquiry_never_filed_holds_back_none_of_the_younger_ones(monkeypatch):
    from cli import import_file as importer

    monkeypatch.setattr(importer, "POLL_SECONDS", 0)
    pending = [{"id": f"inq_{n}", "outcome": None} for n in range(1, 601)]
    api = SlowFiling(per_round=600, never={"inq_1"})
    importer._classify(api, pending, wait_seconds=0.5)
    assert pending[0]["outcome"] == "not filed yet"
    assert all(o["outcome"] == "created" for o in pending[1:])
