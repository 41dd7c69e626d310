"""How a person's name is shown: Chinese names family name first and unspaced (王晓明), others as written."""

import re

# CJK unified ideographs (with extension A) and the compatibility block.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def person_name(user) -> str:
    """The name to show for a user: family name first for Chinese names, the username when no name is known."""
    if user is None:
        return ""
    given, family = (user.first_name or "").strip(), (user.last_name or "").strip()
    if not given and not family:
        return user.get_username()
    if _HAN.search(given + family):
        return f"{family}{given}"
    return " ".join(part for part in (given, family) if part)
