def pytest_terminal_summary(terminalreporter):
    from .matrix import ACTION_TALLY, TALLY

    if TALLY["cases"]:
        terminalreporter.write_line(
            f"access matrix: {len(TALLY['urls'])} record URLs x {len(TALLY['roles'])} roles: "
            f"{TALLY['cases']} checks (in reach, out of reach GET and POST, nothing changed, missing)"
        )
    if ACTION_TALLY["cases"]:
        terminalreporter.write_line(
            f"action matrix: {len(ACTION_TALLY['actions'])} actions x 4 roles: {ACTION_TALLY['cases']} checks "
            "(the expected outcome, and nothing changed when refused)"
        )
