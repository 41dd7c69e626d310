"""CSV written for people to open in a spreadsheet: no cell may start a formula.

Every text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with
`'` (CONTRACT 5), so that Excel, WPS or LibreOffice shows it as text instead of evaluating it.
Used by every CSV the portal writes for people: the ticket export and the feeds' `--rejects` files.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell's text, with a leading `'` when it would otherwise start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values) -> list[str]:
    return [safe_cell(value) for value in values]
