"""The column types Gephi's spreadsheet importer infers, ported to Python so the tests can check what
Gephi makes of nodes.csv and edges.csv.

Ported from gephi/gephi `AbstractImporterSpreadsheet.autoDetectColumnTypes` (ImportPlugin, spreadsheet)
and the value parsers it calls in gephi/graphstore (`IntervalsParser`, `TimestampsParser`,
`FormattingAndParsingUtils`, `AttributeUtils.parseDateTime`): the first 25 rows are tried against each
class in Gephi's order of preference; a class survives when every non-empty value parses; the first
survivor wins, and String when none (or all) survive. Then the column-name rules: Id and Label are
String; a String column named like interval/timestamp/timeset becomes a time set; in an edges table
Source, Target, Type and Kind are String and Weight prefers Double. Any timestamp type detected puts
the import in timestamp representation, otherwise it is in interval representation."""

from __future__ import annotations

import csv
import re
from pathlib import Path

MAX_ROWS = 25  # MAX_ROWS_TO_ANALYZE_COLUMN_TYPES
CLASSES = ["Boolean", "Integer", "Long", "BigInteger", "Double", "BigDecimal", "IntervalIntegerMap",
           "IntervalLongMap", "IntervalDoubleMap", "IntervalStringMap", "IntervalSet", "TimestampIntegerMap",
           "TimestampLongMap", "TimestampDoubleMap", "TimestampStringMap", "TimestampSet"]

_INT = re.compile(r"[+-]?\d+")
_DOUBLE = re.compile(r"\s*[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?)\s*")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# AttributeUtils' DATE_TIME_PARSER: ISO_DATE or yyyyMMdd, optionally 'T' and an ISO time, optional offset
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2}|\d{8})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:\d{2})?", re.I)


def _int(value: str, bits: int | None) -> bool:
    if not _INT.fullmatch(value):
        return False
    return bits is None or -(2 ** (bits - 1)) <= int(value) < 2 ** (bits - 1)


def _time(value: str) -> float:
    """parseDateTimeOrTimestamp: a double, else an ISO date or datetime."""
    if _DOUBLE.fullmatch(value) and "NaN" not in value:
        return float(value.strip().rstrip("fFdD"))
    if not _DATETIME.fullmatch(value):
        raise ValueError(f"not a time: {value!r}")
    digits = re.sub(r"\D", "", value[:10])
    return float(digits)  # order-preserving stand-in for the epoch milliseconds


def _convert(kind: str, value: str):
    if kind == "Integer" and not _int(value, 32) or kind == "Long" and not _int(value, 64):
        raise ValueError(value)
    if kind == "Double" and not _DOUBLE.fullmatch(value):
        raise ValueError(value)
    return value


def _groups(text: str) -> list[list[str]]:
    """The bracketed groups of an interval or timestamp map: '<[a, b]; (c, d)>' -> [[a, b], [c, d]]."""
    groups, current, i = [], None, 0
    while i < len(text):
        c = text[i]
        if current is None:
            if c in "[(":
                current = []
            i += 1
            continue
        if c in "])":
            groups.append(current)
            current = None
            i += 1
        elif c in "\"'":
            end = text.index(c, i + 1)
            current.append(text[i + 1:end])
            i = end + 1
        elif c in ", \t\r\n":
            i += 1
        else:
            j = i
            while j < len(text) and text[j] not in ",])":
                j += 1
            current.append(text[i:j].strip())
            i = j + 1 if j < len(text) and text[j] == "," else j
    if current is not None:
        groups.append(current)
    if not groups:
        raise ValueError("No dynamic intervals could be parsed")
    return groups


def _interval_set(text: str, value_kind: str | None) -> None:
    intervals = []
    for group in _groups(text):
        if len(group) != (2 if value_kind is None else 3):
            raise ValueError("Each interval must have 2 (3) values")
        low, high = _time(group[0]), _time(group[1])
        if low > high:
            raise ValueError("low > high")
        if value_kind:
            _convert(value_kind, group[2])
        intervals.append((low, high))
    if value_kind is None:  # IntervalSet refuses overlapping intervals
        intervals.sort()
        if any(b[0] <= a[1] for a, b in zip(intervals, intervals[1:])):
            raise ValueError("Overlapping intervals aren't allowed")


def _timestamp_map(text: str, value_kind: str) -> None:
    for group in _groups(text):
        if len(group) != 2:
            raise ValueError("Each timestamp must have 2 values")
        _time(group[0])
        _convert(value_kind, group[1])


def _timestamp_set(text: str) -> None:
    values, i = [], 0
    while i < len(text):
        c = text[i]
        if c in "<>])([ \t\r\n,":
            i += 1
        elif c in "\"'":
            end = text.index(c, i + 1)
            values.append(text[i + 1:end])
            i = end + 1
        else:
            j = i
            while j < len(text) and text[j] not in ",])":
                j += 1
            values.append(text[i:j].strip())
            i = j + 1 if j < len(text) and text[j] == "," else j
    if not values:
        raise ValueError("empty time set")
    for v in values:
        _time(v)


def parses_as(kind: str, value: str) -> bool:
    try:
        if kind == "Boolean":  # only true/false, not 0/1
            return value.lower() in ("true", "false")
        if kind in ("Integer", "Long", "BigInteger"):
            return _int(value, {"Integer": 32, "Long": 64, "BigInteger": None}[kind])
        if kind == "Double":
            return bool(_DOUBLE.fullmatch(value))
        if kind == "BigDecimal":
            return bool(_DECIMAL.fullmatch(value))
        if kind == "IntervalSet":
            _interval_set(value, None)
        elif kind.startswith("Interval"):
            _interval_set(value, kind[len("Interval"):-len("Map")])
        elif kind == "TimestampSet":
            _timestamp_set(value)
        else:
            _timestamp_map(value, kind[len("Timestamp"):-len("Map")])
        return True
    except (ValueError, IndexError):
        return False


def infer_column_types(path: Path) -> tuple[dict[str, str], str]:
    """({column: Gephi class}, time representation) for a CSV file, as Gephi's import wizard proposes."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [row for _, row in zip(range(MAX_ROWS), reader)]
    edges_table = any(h.lower() in ("source", "target") for h in header)
    types, representation = {}, "INTERVAL"
    for index, column in enumerate(header):
        matches = list(CLASSES)
        for row in rows:
            value = row[index].strip() if index < len(row) else ""
            if value:
                matches = [k for k in matches if parses_as(k, value)]
        detected = matches[0] if matches and len(matches) != len(CLASSES) else "String"
        if column.lower() in ("id", "label"):
            detected = "String"
        if detected == "String":
            if "interval" in column.lower():
                detected = "IntervalSet"
            if "timestamp" in column.lower():
                detected = "TimestampSet"
            if column.lower() == "timeset":
                detected = "IntervalSet" if representation == "INTERVAL" else "TimestampSet"
        if edges_table:
            if column.lower() in ("source", "target", "type", "kind"):
                detected = "String"
            if column.lower() == "weight":
                detected = next((k for k in ("Double", "IntervalDoubleMap", "TimestampDoubleMap") if k in matches),
                                detected)
        types[column] = detected
        if detected.startswith("Timestamp"):
            representation = "TIMESTAMP"
    return types, representation
