"""Hostile and malformed input: the corpus, and the HTTP guard that answers it in JSON."""
