"""Date values: absolute, partial and relative, against an anchor; never guessed."""

from datetime import date

import pytest

from pipeline.dates import Anchor, date_value, day_of_same_month, shift_from_event

CABLE = Anchor("2007-09-14")
REPORT = Anchor("2009-04-30", report_year="2008")
UNDATED = Anchor()


@pytest.mark.parametrize("text, anchor, value", [
    ("140826Z SEP 07", UNDATED, "2007-09-14T08:26Z"),
    ("02/13/2016", UNDATED, "2016-02-13"),
    ("30 April 2009", UNDATED, "2009-04-30"),
    ("Friday, 26 May 2023, 13:32 GMT", UNDATED, "2023-05-26T13:32Z"),
    ("April 2007", UNDATED, "2007-04"),
    ("the fall of 2006", UNDATED, "2006-FA"),
    ("1999", UNDATED, "1999"),
    ("September 24 through October 5", CABLE, "2007-09-24/2007-10-05"),
    ("November", CABLE, "2007-11"),
    ("November", Anchor("2006-02-14"), "2005-11"),
    ("In March", REPORT, "2008-03"),
    ("year's end", REPORT, "2008-12"),
    ("this month", Anchor("2004-09"), "2004-09"),
    ("last week", Anchor("2011-07"), ""),
    ("last week", CABLE, "2007-W36"),
    ("two months ago", CABLE, "2007-07"),
    ("3 days ago", CABLE, "2007-09-11"),
    ("the 1990s", UNDATED, "199"),
    ("the following day", Anchor("2004-09", last=date(2004, 9, 7)), "2004-09-08"),
    ("Friday", Anchor("2011-07", last=date(2011, 7, 21)), "2011-07-22"),
    ("July 21", UNDATED, ""),
    ("Friday", UNDATED, ""),
    ("the evening of September 13", CABLE, "2007-09-13TEV"),
    ("this morning", CABLE, "2007-09-14TMO"),
    ("last night", CABLE, "2007-09-13TNI"),
    ("1100 on September 12", CABLE, "2007-09-12T11:00"),
    ("the 1980's", UNDATED, "198"),
    ("the '90s", UNDATED, "199"),
    ("morning", CABLE, ""),
    ("the end of 2009", UNDATED, "2009-12"),
    ("the start of 2010", UNDATED, "2010"),
])
def test_date_value(text, anchor, value):
    assert date_value(text, anchor) == value


@pytest.mark.parametrize("relative, unit, value", [("this", "month", "2004-09"), ("last", "month", "2004-10"),
                                                    ("next", "month", "2004-08"), ("last", "year", "2005"),
                                                    ("this", "year", "2004")])
def test_document_date_from_a_dated_event(relative, unit, value):
    assert shift_from_event("2004-09-01", relative, unit) == value


def test_a_december_event_last_month_dates_the_next_january():
    assert shift_from_event("2011-12-16", "last", "month") == "2012-01"


@pytest.mark.parametrize("first, day, value", [("2005-11-24", "27", "2005-11-27"), ("2005-11-24", "31", ""),
                                               ("2005-11", "27", ""), ("2005-11-24", "x", "")])
def test_a_split_day_takes_the_month_of_the_first_date(first, day, value):
    assert day_of_same_month(first, day) == value


def test_the_following_day_is_anchored_on_the_body_not_a_header_date(parse_text):
    text = ("Reference ID: 10TASHKENT27\nCreated: 2010-01-20 10:10\nReleased: 2011-08-30 01:44\n\n"
            "R 201010Z JAN 10\nFM AMEMBASSY TASHKENT\nTO SECSTATE WASHDC\n\n"
            "TAGS PREL, UZ\nSUBJECT: TALKS\n\nClassified By: Ambassador Richard Norland on 01/22/2020.\n\n"
            "1. (C) The ministers met. The following day they signed an accord.\n")
    mentions, _ = parse_text(text, {"date": "2010-01-20"})
    values = {m.text: m.value for m in mentions if m.label == "DATE"}
    # never the day after the declassification date (2020-01-23): no body date precedes it, so it
    # stays without a value rather than guessed
    assert values["The following day"] in ("", "2010-01-21"), values


@pytest.mark.parametrize("text, doc_date, last, value", [
    ("this winter", "2007-01-20", None, "2006-WI"),        # a winter is the year of its December
    ("last winter", "2009-03-01", None, "2008-WI"),
    ("next summer", "2009-12-15", None, "2010-SU"),
    ("last Friday", "2009-06-16", None, "2009-06-12"),
    ("This past September", "2010-03-19", None, "2009-09"),
    ("next March", "2009-12-15", None, "2010-03"),
    ("the past year", "2010-01-27", None, "2009-01-27/2010-01-27"),
    ("the past nine months", "2010-01-04", None, "2009-04-04/2010-01-04"),
    ("the month ahead", "2009-11-05", None, "2009-11-05/2009-12-05"),
    ("the first half of 2010", "2010-01-05", None, "2010-H1"),
    ("the nineteenth century", "2008-05-01", None, "18"),
    ("the early 20th century", "2008-05-01", None, "19"),
    ("Christmas Day", "2010-01-05", None, "2009-12-25"),
    ("the week of January 25", "2010-01-20", None, "2010-W04"),
    ("mid-day August 9", "2008-08-10", None, "2008-08-09TMI"),
    ("early August 9", "2008-08-10", None, "2008-08-09"),
    ("later in November", "2006-11-02", None, "2006-11"),
    ("earlier this month", "2009-02-10", None, "2009-02"),
    ("earlier this year", "2008-06-01", None, "2008"),
    ("the same day", "2008-12-30", date(2008, 12, 27), "2008-12-27"),
    ("later that evening", "2006-11-24", date(2006, 11, 21), "2006-11-21"),
    ("the preceding day", "2008-03-01", date(2008, 2, 19), "2008-02-18"),
    ("the same day", "2008-12-30", None, ""),              # no day named before: no value, not a guess
    ("the 21st", "2006-11-24", None, "2006-11-21"),
    ("about 20 years ago", "2010-03-01", None, "1990"),
    ("09/13/15", "2005-09-13", None, "2015-09-13"),
    ("October \\ ¶15", "2008-10-20", None, "2008-10-15"),  # an archive dump's continuation and paragraph sign
    ("later in the Spring", "2008-02-10", None, "2008-SP"),
    ("later in the month", "2009-05-10", date(2009, 7, 2), "2009-07"),  # the month the narrative is in
    ("the 21st Century", "2010-01-10", None, "20"),
])
def test_relative_and_timex_values(text, doc_date, last, value):
    assert date_value(text, Anchor(doc_date, last=last)) == value


def test_trailing_words_cut_from_a_date_without_value(nlp):
    from pipeline.components.dates import trim_date

    doc = nlp.make_doc("The talks were held in April or later, and on January 8 Friday and 12 May 2009.")
    at = doc.text.index
    run_on = doc.char_span(at("April"), at("April") + len("April or"), label="DATE")
    trimmed, value = trim_date(run_on, Anchor("2009-03-02"))
    assert (trimmed.text, value) == ("April", "2009-04")
    weekday = doc.char_span(at("January"), at("January") + len("January 8 Friday"), label="DATE")
    assert [(s.text, v) for s, v in [trim_date(weekday, Anchor("2009-12-20"))]] == [("January 8", "2010-01-08")]
    # a span with a number at its end is left as it is (no value rather than a cut through a date)
    numbered = doc.char_span(at("12 May"), at("12 May") + len("12 May 2009"), label="DATE")
    assert trim_date(doc[numbered.start - 1:numbered.end], Anchor("2009-12-20"))[1] == ""


def test_the_part_of_the_day_or_the_time_before_a_day_joins_its_date(nlp):
    from pipeline.components.dates import Dates

    text = "Fighting began on the evening of August 8 and at 1100 on August 9, with Russia."
    doc = nlp.make_doc(text)
    day = lambda s: doc.char_span(text.index(s), text.index(s) + len(s), label="DATE")  # noqa: E731
    assert Dates._with_time_before(doc, text, day("August 8"), 0).text == "the evening of August 8"
    assert Dates._with_time_before(doc, text, day("August 9"), 0).text == "1100 on August 9"
    # never over the entity before it
    assert Dates._with_time_before(doc, text, day("August 9"), day("August 9").start).text == "August 9"
    assert Dates._with_time_before(doc, text, day("Russia"), 0).text == "Russia"  # nothing before: as it was


def test_a_date_that_begins_an_event_name_and_names_no_year_is_the_events_date(nlp):
    dates = nlp.get_pipe("kzx_dates")
    text = "Before the Sept. 11 terrorist attacks and 9/11, the talks on September 11 and the 7/7 anniversary."
    doc = nlp.make_doc(text)
    span = lambda s: doc.char_span(text.index(s), text.index(s) + len(s), label="DATE")  # noqa: E731
    assert dates._event_date(text, span("Sept. 11")) == "2001-09-11"
    assert dates._event_date(text, span("the Sept. 11")) == "2001-09-11"
    assert dates._event_date(text, span("9/11")) == "2001-09-11"
    assert dates._event_date(text, span("7/7")) == "2005-07-07"
    assert dates._event_date(text, span("September 11")) == ""  # a day of the talks, not the attacks
    # a date with its own year keeps its own value; an event name holding only part of the span is no match
    text = "After the September 11, 2001 attacks and 9/11 to 9/15 of that year."
    doc = nlp.make_doc(text)
    assert dates._event_date(text, span("September 11, 2001")) == ""
    assert dates._event_date(text, span("9/11 to 9/15")) == ""
    # an event later than the document is not the one it names
    text = "Protests followed the January events in Almaty."
    doc = nlp.make_doc(text)
    assert dates._event_date(text, span("January"), "2023-03-01") == "2022-01-02"
    assert dates._event_date(text, span("January"), "2008-03-01") == ""


def test_the_september_11_attacks_take_their_date_in_a_later_speech(parse_text):
    mentions, _ = parse_text("Mr. Speaker, Kyrgyzstan opened the Manas air base to coalition aircraft soon after the "
                             "Sept. 11 attacks. The delegation met on September 11 in Bishkek.",
                             {"date": "2009-09-16"})
    values = {m.text: m.value for m in mentions if m.label == "DATE"}
    assert values.get("Sept. 11") == "2001-09-11"
    assert values.get("September 11") == "2009-09-11"
