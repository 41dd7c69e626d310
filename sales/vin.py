"""Vehicle identification numbers as GB 16735 / ISO 3779 define them: one validator for all."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}  # fmt: skip
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_SHAPE = re.compile(r"[A-HJ-NPR-Z0-9]{17}")


def check_digit(vin: str) -> str:
    """The character position 9 must hold: the weighted sum modulo 11, with 10 written X."""
    total = sum(_TRANSLITERATION[char] * weight for char, weight in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalise_vin(value: str) -> str:
    """The VIN upper-cased and trimmed, or ValidationError saying exactly what is wrong."""
    vin = (value or "").strip().upper()
    if len(vin) != 17:
        raise ValidationError(
            _("A VIN has 17 characters; %(value)s has %(length)d."),
            code="vin_length",
            params={"value": vin, "length": len(vin)},
        )
    forbidden = sorted({c for c in vin if c in "IOQ"})
    if forbidden:
        raise ValidationError(
            _("A VIN never contains I, O or Q; %(value)s contains %(chars)s."),
            code="vin_letters",
            params={"value": vin, "chars": ", ".join(forbidden)},
        )
    if not _SHAPE.fullmatch(vin):
        raise ValidationError(
            _("A VIN has only letters A–Z and digits; %(value)s has other characters."),
            code="vin_characters",
            params={"value": vin},
        )
    expected = check_digit(vin)
    if vin[8] != expected:
        raise ValidationError(
            _("%(value)s fails the check digit: position 9 should be %(expected)s, not %(actual)s."),
            code="vin_check_digit",
            params={"value": vin, "expected": expected, "actual": vin[8]},
        )
    return vin
