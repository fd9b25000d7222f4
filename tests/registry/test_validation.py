"""Validation of national IDs, unified social credit codes and phones with real numbers — ones with
correct check characters computed independently here, and real invalid ones — and of whole rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from stdnum.cn import ric

from registry import validation
from registry.validation import (
    normalise_phone,
    validate_national_id,
    validate_person,
    validate_phone,
    validate_trade_details,
    validate_unit,
    validate_uscc,
)
from tests.registry.conftest import make_uscc, national_id

TODAY = dt.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _english():  # the reasons are read in English here; they are translated like every UI string
    with translation.override("en"):
        yield


def fields(problems: list[validation.Problem]) -> list[str]:
    return [p.field for p in problems]


# --- national IDs -------------------------------------------------------------------------------------

# The sample from GB 11643 itself and python-stdnum's doctest, plus numbers built here.
REAL_VALID = ["11010519491231002X", "360426199101010071", "620102199001010011", national_id(region="620502", born=dt.date(2001, 2, 28))]


@pytest.mark.parametrize("number", REAL_VALID)
def test_real_national_ids_are_valid(number: str) -> None:
    assert validate_national_id(number, today=TODAY) == []
    assert ric.is_valid(number)  # the library agrees


def test_the_check_character_is_iso_7064_mod_11_2() -> None:
    # Computed by hand for 62010219900101001: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
    body = "62010219900101001"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    assert check == "1"
    assert validate_national_id(body + check, today=TODAY) == []
    for wrong in "023456789X":
        problems = validate_national_id(body + wrong, today=TODAY)
        assert fields(problems) == ["national_id"] and "check character" in problems[0].reason


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("", "required"),
        ("62010219900101001", "18 characters"),  # 17 characters
        ("6201021990010100111", "18 characters"),
        ("62010219900101001A", "17 digits"),
        ("6201021990O101001X", "17 digits"),  # a letter O for a zero
        ("620102199002300015", "not a real date"),  # 30 February, check character correct
        ("620102203001010013", "impossible"),  # born in 2030
        ("999999199001010012", "region code"),  # no such region
        ("620102195001010014", "region code"),  # 城关区 (620102) dates from 1983
    ],
)
def test_invalid_national_ids_say_why(number: str, why: str) -> None:
    if why in ("not a real date", "impossible", "region code"):
        number = number[:17] + ric.calc_check_digit(number[:17] + "0")  # only the named flaw
    problems = validate_national_id(number, today=TODAY)
    assert fields(problems) == ["national_id"], problems
    assert why in problems[0].reason


def test_a_prefecture_only_region_code_is_invalid_not_a_crash() -> None:
    # stdnum's own get_birth_place raises KeyError on 621120 (a prefecture with no county entry).
    body = "62112019980101000"
    assert "region code" in validate_national_id(body + ric.calc_check_digit(body + "0"), today=TODAY)[0].reason


def test_lower_case_x_and_spaces_are_normalised() -> None:
    assert validate_national_id(" 11010519491231002x ", today=TODAY) == []
    assert validation.normalise_national_id("11010519491231002x") == "11010519491231002X"


def test_gender_must_agree_with_the_17th_digit() -> None:
    male = national_id(male=True)
    female = national_id(male=False)
    assert int(male[16]) % 2 == 1 and int(female[16]) % 2 == 0
    assert validate_national_id(male, gender="M", today=TODAY) == []
    assert fields(validate_national_id(male, gender="F", today=TODAY)) == ["gender"]
    assert fields(validate_national_id(female, gender="M", today=TODAY)) == ["gender"]
    assert validation.national_id_gender(female) == "F"


def test_birth_date_must_agree() -> None:
    number = national_id(born=dt.date(1985, 12, 3))
    assert validate_national_id(number, birth_date="1985-12-03", today=TODAY) == []
    assert validate_national_id(number, birth_date=dt.date(1985, 12, 3), today=TODAY) == []
    assert fields(validate_national_id(number, birth_date="1985-12-04", today=TODAY)) == ["birth_date"]


# --- unified social credit codes -------------------------------------------------------------------------


def test_real_usccs() -> None:
    assert validate_uscc("91110000600037341L") == []  # a published code (python-stdnum's sample)
    built = make_uscc("71092651")
    assert validate_uscc(built) == []
    assert fields(validate_uscc(built[:-1] + ("0" if built[-1] != "0" else "1"))) == ["uscc"]
    assert "check character" in validate_uscc("91110000600037341X")[0].reason
    assert "18 characters" in validate_uscc("9111000060003734")[0].reason
    assert "required" in validate_uscc("")[0].reason
    assert validate_uscc("91110000600037341I")  # I is not in the code's alphabet


# --- phones ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "0931-8123456", "(0931) 812 3456", "010-62345678"])
def test_valid_chinese_phones(phone: str) -> None:
    assert validate_phone(phone) == []


@pytest.mark.parametrize("phone", ["1381234567", "12012345678", "123", "abc", "+1 202 555 0143", "0931-81234"])
def test_invalid_phones(phone: str) -> None:
    assert fields(validate_phone(phone)) == ["phone"]


def test_phones_are_stored_as_national_digits() -> None:
    assert normalise_phone("+86 138 1234 5678") == "13812345678"
    assert normalise_phone("0931-812 3456") == "09318123456"


# --- rows -----------------------------------------------------------------------------------------------------


def test_a_person_row_reports_every_problem_with_its_field() -> None:
    row = {
        "national_id": national_id(male=True, born=dt.date(1990, 5, 17)), "name": "", "gender": "F",
        "birth_date": "1990-05-18", "phone": "1381234567", "category": "tourist",
        "inflow_date": "2024-03-01", "outflow_date": "2024-02-01",
    }
    assert sorted(fields(validate_person(row, today=TODAY))) == [
        "birth_date", "category", "gender", "name", "outflow_date", "phone",
    ]


def test_a_good_person_row_passes() -> None:
    row = {"national_id": national_id(male=False, born=dt.date(1990, 5, 17)), "name": "李秀英", "gender": "F",
           "birth_date": "1990-05-17", "phone": "13912345678", "category": "floating", "inflow_date": "2024-03-01"}
    assert validate_person(row, today=TODAY) == []


def test_unit_rows_and_trade_details_by_kind() -> None:
    good = {"name": "金城宾馆", "uscc": make_uscc(), "kind": "hotel", "security_phone": "0931-8123456",
            "trade_details": {"rooms": 40, "beds": 80}}
    assert validate_unit(good, today=TODAY) == []
    assert fields(validate_trade_details("hotel", {"seats": 10})) == ["trade_details"]  # an internet café's field
    assert fields(validate_trade_details("hotel", {"rooms": "many"})) == ["trade_details"]
    assert validate_trade_details("other", {}) == []
