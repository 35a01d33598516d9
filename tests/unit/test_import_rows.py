"""Reading inquiry files and mapping their rows (no I/O beyond temporary files)."""
import pytest
from openpyxl import Workbook

from cli.import_file import ImportError_, load_mapping
from cli.rows import UnreadableFile, read_rows, row_key, to_inquiry
from contracts.inquiry import InquirySchema

ALIBABA_CSV = "Buyer Name,Email,Company,Country/Region,Product Name,Inquiry Content,Quantity\n" \
              "Jane Doe,jane@acme.de,Acme GmbH,Germany,\"LED panel, LED tube\",Need CE,2000 pcs\n\n"


def test_an_alibaba_row_becomes_a_valid_inquiry(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(ALIBABA_CSV, encoding="utf-8-sig")
    header, rows = read_rows(path)
    assert header[0] == "Buyer Name" and len(rows) == 1
    inquiry = to_inquiry(rows[0], load_mapping("alibaba"))
    assert inquiry == {"schema_version": 1, "channel": "alibaba", "initial_behaviour": "sent an Alibaba.com inquiry",
                       "contact": {"name": "Jane Doe", "email": "jane@acme.de"}, "company": "Acme GmbH",
                       "country": "Germany", "products": ["LED panel", "LED tube"],
                       "message": "Need CE\nQuantity: 2000 pcs"}
    assert InquirySchema().validate(inquiry) == {}


def test_a_chinese_export_in_gb18030_is_read(tmp_path):
    path = tmp_path / "询盘.csv"
    path.write_bytes("买家姓名,邮箱,公司名称,询盘内容\n王伟,wang@huada.cn,广州华达贸易有限公司,需要2000件\n".encode("gb18030"))
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
