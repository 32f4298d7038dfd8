"""wireproof reports: turn result.json / summary.json / events.jsonl into
HTML pages, a Markdown summary, JUnit XML, diffs and merged shard outputs.

Run from the repository root with Debian's interpreter:
    /usr/bin/python3 -m reports <html|markdown|junit|diff|merge> ...
See reports/README.md.
"""
