import pytest
from django.core.exceptions import ValidationError

from sales.tests.factories import make_vin
from sales.vin import _TRANSLITERATION, check_digit, normalise_vin

KNOWN_GOOD = ["LMG84G7Y1S8631706", "LMGU0VHE5TD500080", "LMGRDU1E6S8835337", "1M8GDM9AXKP042788"]
ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


@pytest.mark.parametrize("vin", KNOWN_GOOD)
def test_known_good_vins_pass_the_check_digit(vin):
    assert normalise_vin(vin) == vin
    assert normalise_vin(f"  {vin.lower()} ") == vin


@pytest.mark.parametrize("vin", KNOWN_GOOD)
def test_every_single_character_corruption_of_a_known_vin_is_rejected(vin):
    """Each substitution changing the character's ISO 3779 value is caught (weights 2..10 mod 11
    never hide a change); substitutions of equal value (A/J/1, B/K/S/2…) cannot be, by design."""
    rejected = undetectable = 0
    for position in range(17):
        for char in ALPHABET:
            if char == vin[position]:
                continue
            corrupted = vin[:position] + char + vin[position + 1 :]
            if position != 8 and _TRANSLITERATION[char] == _TRANSLITERATION[vin[position]]:
                undetectable += 1
                assert normalise_vin(corrupted) == corrupted
                continue
            with pytest.raises(ValidationError):
                normalise_vin(corrupted)
            rejected += 1
    assert rejected > 16 * 28
    assert rejected + undetectable == 17 * (len(ALPHABET) - 1)


@pytest.mark.parametrize("vin", KNOWN_GOOD)
def test_forbidden_letters_in_any_position_are_rejected(vin):
    for position in range(17):
        for char in "IOQ":
            with pytest.raises(ValidationError) as info:
                normalise_vin(vin[:position] + char + vin[position + 1 :])
            assert info.value.code == "vin_letters"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("LMG84G7Y1S863170", "vin_length"),
        ("LMG84G7Y1S86317066", "vin_length"),
        ("LMG84G7Y1S863I706", "vin_letters"),
        ("LMGO4G7Y1S8631706", "vin_letters"),
        ("LMG84G7Y1S86317Q6", "vin_letters"),
        ("LMG84G7Y1S86317_6", "vin_characters"),
        ("LMG84G7Y2S8631706", "vin_check_digit"),
    ],
)
def test_vin_rejections_name_the_rule(value, code):
    with pytest.raises(ValidationError) as info:
        normalise_vin(value)
    assert info.value.code == code


def test_check_digit_ten_is_written_x():
    assert check_digit("1M8GDM9AXKP042788") == "X"


def test_factory_vins_are_valid():
    for _ in range(20):
        vin = make_vin()
        assert normalise_vin(vin) == vin
