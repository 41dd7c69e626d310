def pytest_terminal_summary(terminalreporter):
    from .matrix import TALLY

    if TALLY["cases"]:
        terminalreporter.write_line(
            f"access matrix: {len(TALLY['urls'])} record URLs x {len(TALLY['roles'])} roles: "
            f"{TALLY['cases']} checks (in reach, out of reach GET and POST, nothing changed, missing)"
        )
