import datetime as dt

import pytest

from daiban.common.params import BadParameter, query_date, query_id


@pytest.mark.parametrize(
    ("value", "expected"), [("", None), ("7", 7), ("000123", 123), ("9" * 18, int("9" * 18))]
)
def test_query_id_reads_ascii_record_numbers(value, expected):
    assert query_id({"n": value}, "n") == expected
    assert query_id({}, "n") is None


@pytest.mark.parametrize("value", ["0", "-1", "9" * 19, "２０２６", "١٢", "1e3", " 1", "1_0", "abc"])
def test_query_id_refuses_anything_else(value):
    with pytest.raises(BadParameter):
        query_id({"n": value}, "n")


def test_query_date_reads_dates_in_range():
    assert query_date({"d": "2026-01-31"}, "d") == dt.date(2026, 1, 31)
    assert query_date({"d": ""}, "d") is None


@pytest.mark.parametrize(
    "value", ["1900-01-01", "0001-01-01", "9999-12-31", "2026-02-30", "２０２６-０１-３１", "20260131", "x"]
)
def test_query_date_refuses_anything_else(value):
    with pytest.raises(BadParameter) as refused:
        query_date({"d": value}, "d")
    assert refused.value.message
