"""The shared machinery of the nightly feeds (CONTRACT 3): reading, parsing, applying, recording.

A feed (stores/feeds.py, sales/feeds.py) declares its columns and row rules and how rows are
applied; everything else, the same for all four feeds, lives here.
"""
