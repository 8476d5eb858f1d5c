from __future__ import annotations

import random

import pytest

from journey import credit_code


def test_published_example_is_valid() -> None:
    assert credit_code.is_valid("91350100M000100Y43")
    assert credit_code.check_character("91350100M000100Y4") == "3"


def test_weights_are_powers_of_three_mod_31() -> None:
    assert credit_code.WEIGHTS[:5] == (1, 3, 9, 27, 19)
    assert len(credit_code.WEIGHTS) == 17


@pytest.mark.parametrize("seed", range(20))
def test_generated_codes_are_valid(seed: int) -> None:
    code = credit_code.generate(random.Random(seed))
    assert len(code) == 18 and credit_code.is_valid(code)


def test_every_wrong_check_character_is_rejected() -> None:
    code = credit_code.generate(random.Random(1))
    for c in credit_code.ALPHABET:
        if c != code[17]:
            assert not credit_code.is_valid(code[:17] + c)


@pytest.mark.parametrize("bad", ["", None, "9135010", "91350100M000100Y4I", "9135010OM000100Y43"])
def test_malformed_codes_are_invalid(bad: str | None) -> None:
    assert not credit_code.is_valid(bad)


def test_check_character_refuses_letters_outside_the_alphabet() -> None:
    with pytest.raises(ValueError):
        credit_code.check_character("91350100M000100YO")


def test_repair_maps_o_to_zero_and_i_to_one() -> None:
    assert credit_code.repair("9135O1OOMOOO1OOY43") == "91350100M000100Y43"
    assert credit_code.repair("9I350I00M000I00Y43") == "91350100M000100Y43"


def test_repair_drops_one_extra_character_and_finds_the_code_in_a_longer_reading() -> None:
    assert credit_code.repair("91350100M0000100Y43") == "91350100M000100Y43"
    assert credit_code.repair("X691350100M000100Y43") == "91350100M000100Y43"


def test_repair_fixes_one_confused_character_only_when_unambiguous() -> None:
    code = "91350100M000100Y43"
    fixed = credit_code.repair(code[:10] + "8" + code[11:])  # 0 read as 8
    assert fixed is None or credit_code.is_valid(fixed)
    assert credit_code.repair("123") is None


def test_an_s_is_read_as_8_before_any_character_is_changed() -> None:
    codes = (credit_code.generate(random.Random(n)) for n in range(100))
    code = next(c for c in codes if "8" in c[:17])
    read = code.replace("8", "S", 1)  # S is taken as 5 first: that fails the check
    assert credit_code.as_printed(read) == code
    assert credit_code.repair(read) == code
    assert credit_code.as_printed(code[:5] + "Q" + code[6:]) is None  # that needs a change
