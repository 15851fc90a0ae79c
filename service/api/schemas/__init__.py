"""Marshmallow schemas for the API and the HTML forms: explicit fields, loads return dataclasses."""
