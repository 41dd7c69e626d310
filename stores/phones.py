"""Mainland phone numbers as the contract defines them (CONTRACT 3.1), normalised for storage.

These are our rules rather than libphonenumber's: the contract accepts any landline with an area
code and a 7–8 digit local part, where libphonenumber's per-city metadata would refuse some
(e.g. 7-digit local numbers in 8-digit cities) that upstream systems legitimately still send.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_SERVICE = re.compile(r"(400|800)\d{7}")
# 010 and 02x are three-digit area codes; every other area code has four digits.
_LANDLINE = re.compile(r"(0(?:10|2\d)|0[3-9]\d{2})([2-9]\d{6,7})")


def _strip_country_code(value: str) -> tuple[str, bool]:
    compact = _SEPARATORS.sub("", value)
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            return compact[len(prefix) :], True
    return compact, False


def normalise_mobile(value: str) -> str:
    """`13812345678` from `138 1234 5678`, `+86 13812345678` or `8613812345678`."""
    national, _international = _strip_country_code((value or "").strip())
    if len(national) == 13 and national.startswith("86"):
        national = national[2:]
    if not _MOBILE.fullmatch(national):
        raise ValidationError(
            _("%(value)s is not a mainland mobile number (11 digits starting 13–19)."),
            code="invalid_mobile",
            params={"value": value},
        )
    return national


def normalise_phone(value: str) -> str:
    """A store's phone: mobile `13812345678`, landline `020-87654321`, or service `4001234567`."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("The phone number is empty."), code="required")
    national, international = _strip_country_code(raw)
    if not national.isdigit():
        raise ValidationError(
            _("%(value)s contains characters that are not digits."), code="invalid", params={"value": raw}
        )
    if _MOBILE.fullmatch(national) or (len(national) == 13 and national.startswith("86") and not international):
        return normalise_mobile(raw)
    if _SERVICE.fullmatch(national):
        if international:
            raise ValidationError(
                _("%(value)s: 400/800 service numbers are written without +86."), code="invalid", params={"value": raw}
            )
        return national
    landline = national if national.startswith("0") else ("0" + national if international else national)
    match = _LANDLINE.fullmatch(landline)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    raise ValidationError(
        _(
            "%(value)s is not a mainland mobile number, a landline with its area code "
            "(e.g. 020-87654321) or a 400/800 service number."
        ),
        code="invalid",
        params={"value": raw},
    )
