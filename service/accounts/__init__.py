"""Accounts, log-in, roles and API tokens."""
