"""Real documents in, bad input handled: each fixture is read right or reported, and the run goes on."""

import csv

import docx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline import api
from pipeline.ingest import InputError, read_document
from pipeline.ingest.reader import decode
from .conftest import pdf_bytes

HTML = """<!DOCTYPE html><html><head><title>Hizb ut-Tahrir members detained in Shymkent</title>
<meta property="article:published_time" content="2019-03-04"><meta name="author" content="Aigerim Sadykova"></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li>Uzbekistan news</li></ul></nav>
<header><div class="menu">Subscribe | Login | Tajikistan desk</div></header>
<article><h1>Hizb ut-Tahrir members detained in Shymkent</h1>
<p>Police in Shymkent detained six members of Hizb ut-Tahrir on Monday, the Committee for National Security (KNB) said.</p>
<p>The KNB said the group distributed leaflets in the south of Kazakhstan. Lawyers for the men said they would appeal
to the Supreme Court in Astana, where the case is expected to be heard next month.</p>
<p>Human rights groups have criticised the ban on Hizb ut-Tahrir, which is outlawed in Kazakhstan and Uzbekistan.</p>
</article><aside>Related: Kyrgyzstan elects new parliament</aside><footer>Copyright 2019 Example News, Bishkek</footer>
</body></html>"""


def make_pdf(text: str) -> bytes:
    """A one-page PDF with a text layer, written by hand (offsets computed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
               b"/Contents 4 0 R >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return pdf_bytes(objects)


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory):
    raw = tmp_path_factory.mktemp("messy") / "raw"
    raw.mkdir()
    (raw / "page.html").write_text(HTML, encoding="utf-8")
    (raw / "report.pdf").write_bytes(make_pdf("The OSCE office in Bishkek criticised the Kyrgyz Interior Ministry."))
    word = docx.Document()
    word.add_paragraph("Ambassador Daniyal Akhmetov met UNHCR officials in Almaty on 5 May 2010.")
    word.core_properties.title = "Meeting note"
    word.save(raw / "note.docx")
    (raw / "ru_cp1251.txt").write_bytes("Президент Назарбаев посетил Шымкент. Казахстан и Узбекистан подписали договор.\n"
                                        .encode("cp1251"))
    (raw / "utf16.txt").write_bytes("Tokayev spoke in Astana about Kyrgyzstan.\n".encode("utf-16"))
    (raw / "empty.txt").write_bytes(b"")
    (raw / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (raw / "controls.txt").write_bytes(b"Karimov\x00 met\x07 Putin in \x1bTashkent.\x0c\n")
    (raw / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    outside = raw.parent / "outside.txt"
    outside.write_text("Secret outside text about Moscow.\n")
    (raw / "link.txt").symlink_to(outside)
    out = raw.parent / "out"
    summary = api.extract(raw, out, workers=1)
    with open(out / "mentions.csv", encoding="utf-8", newline="") as f:
        mentions = list(csv.DictReader(f))
    with open(out / "documents.csv", encoding="utf-8", newline="") as f:
        documents = {r["doc_id"]: r for r in csv.DictReader(f)}
    return summary, mentions, documents


def _texts(mentions, doc_id):
    return {(m["text"], m["label"]) for m in mentions if m["doc_id"] == doc_id}


def test_html_keeps_the_article_and_drops_the_navigation(messy_run):
    _, mentions, documents = messy_run
    found = _texts(mentions, "page.html")
    assert ("Hizb ut-Tahrir", "GROUP") in found and ("Shymkent", "PLACE") in found and ("KNB", "AGENCY") in found
    texts = {t for t, _ in found}
    assert not {"Uzbekistan news", "Tajikistan", "Bishkek"} & texts
    assert documents["page.html"]["date"] == "2019-03-04"
    assert documents["page.html"]["byline"] == "Aigerim Sadykova"


def test_pdf_and_word_files_are_read(messy_run):
    _, mentions, documents = messy_run
    assert {("OSCE", "AGENCY"), ("Bishkek", "PLACE")} <= _texts(mentions, "report.pdf")
    assert {("Daniyal Akhmetov", "PERSON"), ("UNHCR", "AGENCY"), ("Almaty", "PLACE")} <= _texts(mentions, "note.docx")
    assert documents["note.docx"]["title"] == "Meeting note"


def test_cp1251_cyrillic_and_utf16_decode(messy_run):
    _, mentions, _ = messy_run
    ids = {m["text"]: m["entity_id"] for m in mentions}
    assert ids.get("Назарбаев") == "person:nursultan-nazarbayev"
    assert ids.get("Казахстан") == "place:kazakhstan"
    assert {("Tokayev", "PERSON"), ("Astana", "PLACE")} <= _texts(mentions, "utf16.txt")


def test_control_characters_are_blanked_and_offsets_stay_true(messy_run):
    _, mentions, _ = messy_run
    assert {("Karimov", "PERSON"), ("Tashkent", "PLACE")} <= _texts(mentions, "controls.txt")


def test_bad_files_are_reported_and_the_rest_processed(messy_run):
    summary, _, documents = messy_run
    assert summary.failed["empty.txt"] == "empty file"
    assert summary.failed["binary.txt"].startswith("binary file")
    assert summary.failed["image.png"].startswith("skipped: unsupported file type")
    assert documents["empty.txt"]["status"] == "failed"
    assert len(summary.parsed) == 6
    assert "link.txt" not in documents


def test_the_cli_exits_3_when_some_documents_failed(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "ok.txt").write_text("Astana.\n")
    (raw / "bad.txt").write_bytes(b"")
    result = CliRunner().invoke(app, ["extract", str(raw), "--out", str(tmp_path / "out"), "--workers", "1"])
    assert result.exit_code == 3, result.output
    assert "bad.txt: empty file" in result.output


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_random_bytes_decode_or_fail_cleanly(tmp_path, data):
    path = tmp_path / "f.txt"
    path.write_bytes(data)
    try:
        document = read_document(path, "f.txt")
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert "\x00" not in document.text


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_random_unicode_decodes(text):
    try:
        out = decode(text.encode("utf-8"))
    except InputError:
        return
    assert isinstance(out, str)


def test_a_cable_fragment_without_subject_or_blank_line_is_parsed():
    from pipeline.ingest.cable import parse_header

    text = "031250Z JUN 03\nFM AMEMBASSY ABU DHABI\nTO SECSTATE WASHDC\n"
    header = parse_header(text)
    assert header.dtg is not None and header.dtg[2] == "2003-06-03T12:50Z"
    assert text[header.sender[0]:header.sender[1]] == "AMEMBASSY ABU DHABI"


def test_a_cable_extract_without_routing_and_a_statement_take_their_dates_from_their_own_lines():
    from pipeline.ingest.meta import document_meta

    extract = ("Reference ID: 05DUSHANBE1702\nCreated: 2005-10-20 09:09\nReleased: 2011-02-03 00:12\n"
               "Classification: SECRET\nOrigin: Embassy Dushanbe\n\nThis record is a partial extract.\n\n"
               "S E C R E T DUSHANBE 001702\n\nToday the minister said ...\n")
    meta = document_meta(extract)
    assert meta["date"] == "2005-10-20" and meta["reference"] == "05DUSHANBE1702"  # not the release date
    statement = "---\n# CONGRATULATING\n`Mr. BURTON of Indiana — 19 March 2010`\n---\n\nMr. BURTON. Madam Speaker ...\n"
    assert document_meta(statement)["date"] == "2010-03-19"
    assert document_meta("ALMATY, Kazakhstan - March 3, 2009\n\nText.")["date"] == "2009-03-03"
    assert "date" not in document_meta("A title\nA plain line - with 12 cows\n")


def test_a_second_copy_of_the_routing_in_an_archive_dump_row_and_office_codes_are_read():
    """Archives that hold the cable a second time as a dump row (a backslash closing each line, a tab
    before the classification field) and addressees with their offices ('WASHDC//J-3/J-5//')."""
    from pipeline.ingest.cable import parse_header

    text = ("Reference ID: 06TASHKENT902\n\nP 051259Z MAY 06\nFM AMEMBASSY TASHKENT\nTO RUEHC/SECSTATE WASHDC PRIORITY 5716\n"
            "INFO RUEKJCS/JOINT STAFF WASHDC//J-3/J-5// PRIORITY\n\n"
            "62979\t2006-05-05 12:59:00\tVZCZCXRO9116\\\nP 051259Z MAY 06\\\nFM AMEMBASSY TASHKENT\\\n"
            "TO RUEHC/SECSTATE WASHDC PRIORITY 5716\\\nRUCPDOC/DEPT OF COMMERCE WASHDC PRIORITY\tS E C R E T TASHKENT 000902 \\\n"
            " \\\nSIPDIS \\\n \\\nSUBJECT: THE MEETING \\\n\nThe body.\n")
    header = parse_header(text)
    names = lambda spans: [text[a:b] for a, b in spans]  # noqa: E731
    assert names([header.sender]) == ["AMEMBASSY TASHKENT"]
    assert names(header.addressees) == ["SECSTATE WASHDC", "JOINT STAFF WASHDC"]
    assert names(header.offices) == ["J-3", "J-5"]
    assert names(header.copies) == ["AMEMBASSY TASHKENT", "SECSTATE WASHDC", "DEPT OF COMMERCE WASHDC"]
    assert names(header.more_dtgs) == ["051259Z MAY 06"] and header.more_dtgs[0][0] > header.dtg[1]


def test_line_continuations_are_blanked_for_the_model_and_offsets_hold():
    from pipeline.casing import recase

    text = "the China Petroleum Pipeline Bureau \\\n(CPP) and ZMB \\\nSchweiz, a C:\\files path"
    out = recase(text, set())
    assert len(out) == len(text) and "\\\n" not in out and "ZMB  \nSchweiz" in out
    assert "C:\\files" in out  # a backslash inside a line stays


def test_distribution_lines_give_offices_and_people_and_nothing_else():
    from pipeline.ingest.cable import distribution_lines

    offices, titles = {"STATE", "DEPT", "NSC", "CENTCOM", "POLAD", "USTDA", "EEB"}, {"A/S", "CG"}

    def read(line):
        return [(line[a:b], kind) for a, b, kind in distribution_lines(line, 0, len(line), offices, titles)]

    assert read("STATE FOR T, EUR/CACEN, SA") == [("STATE", "office"), ("T", "office"), ("EUR/CACEN", "office"),
                                                  ("SA", "office")]
    assert read("NSC FOR MERKEL") == [("NSC", "office"), ("MERKEL", "person")]
    assert read("STATE FOR SCA FOR A/S BOUCHER AND PMOON") == [("STATE", "office"), ("SCA", "office"),
                                                               ("BOUCHER", "person"), ("PMOON", "person")]
    assert read("CENTCOM FOR CG CJTF-82 AND POLAD") == [("CENTCOM", "office"), ("CJTF-82", "office"), ("POLAD", "office")]
    assert read("DEPT FOR SCA/CEN AND EEB B. GLEN GRIFFIN \\") == [
        ("DEPT", "office"), ("SCA/CEN", "office"), ("EEB", "office"), ("B. GLEN GRIFFIN", "person")]
    assert read("PLEASE PASS TO USTDA DAN STEIN") == [("USTDA", "office"), ("DAN STEIN", "person")]
    assert read("AID/W FOR EE/AA (BOB WALLIN)") == [("AID/W", "office"), ("EE/AA", "office"), ("BOB WALLIN", "person")]
    listed = read("DEPT FOR SCA/CEN (J. MUDGE), PRM/ECA\n(R. OLSON), DRL/IRF\n(C. KUCHTA-HELBLING)\n\nE.O. 12958")
    assert listed == [("DEPT", "office"), ("SCA/CEN", "office"), ("J. MUDGE", "person"), ("PRM/ECA", "office"),
                      ("R. OLSON", "person"), ("DRL/IRF", "office"), ("C. KUCHTA-HELBLING", "person")]
    # a subject line, a sentence, an unknown first word: not distribution lines
    assert read("PLANS FOR TRIP TO WASHINGTON") == [] and read("STATE FOR the minister said") == []


def test_wrapped_lines_of_running_text_are_read_as_one_line_and_headers_stay_apart():
    from pipeline.casing import recase

    body = ("Officials said that the talks with the Islamic Movement of Uzbekistan and the\n"
            "Organization for Security and Co-operation (OSCE) went ahead with the Adalat \\\n"
            "deal with the Uzbek-Swiss company.\n"
            "2. (C) A new paragraph starts here.\n\n"
            "The blank line above stays.")
    out = recase(body, set())
    assert len(out) == len(body)
    assert "Uzbekistan and the Organization" in out and "Adalat   deal" in out
    assert "company.\n2. (C)" in out and "here.\n\nThe" in out  # a paragraph marker and a blank line stay
    header = ("SUBJECT: KAZAKHSTAN: TALKS ON THE CASPIAN PIPELINE CONSORTIUM EXPANSION\n"
              "REF: A. ASTANA 1234 B. ASTANA 2345 C. STATE 98765 D. ASTANA 3456\n"
              "Classified By: Ambassador John Ordway for reasons 1.4 (b) and (d)\n")
    assert recase(header, set()).count("\n") == 3  # label lines are never run together


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ABCXYZabcxyzÉÀéàДЖдж Ⅷ1,.:-'\t"), max_size=60))
def test_an_upper_case_line_is_one_of_two_words_or_more_with_four_in_five_letters_upper_case(line):
    from pipeline.casing import _WORD, _is_upper_line

    letters = [c for c in line if c.isalpha()]
    expected = (len(letters) >= 6 and len(_WORD.findall(line)) >= 2
                and sum(c.isupper() for c in letters) >= 0.8 * len(letters))
    assert _is_upper_line(line) == expected
