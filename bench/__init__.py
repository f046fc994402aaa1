"""The archive-scale benchmark (``python -m bench``) and its synthetic corpus; see README.md."""
