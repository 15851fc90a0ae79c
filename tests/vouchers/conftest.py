"""Shared fixtures of the money tests."""

from tests.booking.conftest import family, pricing  # noqa: F401  (shared fixtures)
