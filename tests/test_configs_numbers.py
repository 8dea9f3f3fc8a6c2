"""Tests for warmup_cli.configs.numbers: numbers and number lists written as strings."""

from __future__ import annotations

import pytest

from warmup_cli.configs.numbers import MAX_NUMBER_TEXT, number, number_list, parse_number
from warmup_cli.configs.tree import Node


class TestNumbers:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (3, 3),
            (0.5, 0.5),
            ("2e-05", 2e-05),
            ("1e-4", 1e-4),
            ("5e-4", 5e-4),
            (" 11e-3 ", 11e-3),
            ("1_000", 1000),
            ("0x10", 16),
            ("-.5", -0.5),
            ("5.", 5.0),
            (True, None),
            (None, None),
            ("abc", None),
            ("1e", None),
            ("inf", None),
            ("", None),
            ("1,000", None),
            ("٣", None),  # a non-ASCII digit
        ],
    )
    def test_as_number(self, value: object, expected: object) -> None:
        result = Node(value, 1, 1).as_number()
        assert result == expected
        if expected is not None:
            assert type(result) is type(expected)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("(60000, 80000)", [60000, 80000]),
            ("[1e-4, 2]", [1e-4, 2]),
            ("(5500,)", [5500]),
            ("()", []),
            ("(1, x)", None),
            ("(1, 2]", None),
            ('("coco_2017_train",)', None),
            ("60000, 80000", None),
            (5, None),
        ],
    )
    def test_as_number_list(self, value: object, expected: object) -> None:
        assert Node(value, 1, 1).as_number_list() == expected


    def test_the_functions_behind_the_accessors(self) -> None:
        assert number("2e-05") == 2e-05
        assert number(True) is None
        assert number(Node(1, 1, 1)) is None
        assert parse_number(" 0b101 ") == 5
        assert parse_number("1" * MAX_NUMBER_TEXT) == int("1" * MAX_NUMBER_TEXT)
        assert parse_number("1" * (MAX_NUMBER_TEXT + 1)) is None
        assert number_list("[0x10, 1_000, .5]") == [16, 1000, 0.5]
        assert number_list("(" + "1," * 60_000 + ")") is None  # longer than MAX_LIST_TEXT
