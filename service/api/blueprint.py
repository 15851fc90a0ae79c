"""flask-smorest's Blueprint, reading JSON bodies through orjson and building schemas once."""

from __future__ import annotations

from typing import Any

import flask_smorest
import orjson
from flask import Request
from flask_smorest.utils import resolve_schema_instance
from marshmallow import Schema
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request


class JsonParser(FlaskParser):
    """webargs' Flask parser with the body parsed by orjson, as the app's responses are written.

    orjson's decode error is a ``json.JSONDecodeError``, so webargs still answers a broken body
    with its own error, and an empty body still counts as no body.
    """

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return missing
        return orjson.loads(req.get_data(cache=True))


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = JsonParser()

    def arguments(self, schema: type[Schema] | Schema, *args: Any, **kwargs: Any) -> Any:
        """As flask-smorest's, with a schema class made an instance once, here: webargs would
        build a new one on every request (marshmallow copies every declared field to do so)."""
        return super().arguments(resolve_schema_instance(schema), *args, **kwargs)
