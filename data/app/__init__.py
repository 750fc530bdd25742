"""Mediviz's own tables: accounts, API tokens, sessions and the login throttle."""
