"""Summaries in words: what the commands print and write as markdown, and the report's summary."""
