"""Newsroom Lens: the article pipeline (parsing, extraction, store) and the dashboard pages."""
