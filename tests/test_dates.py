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
