"""Typed domain errors with a stable machine-readable code (DESIGN rule 5).

``message`` is an untranslated ``N_()`` string; ``params`` fill its ``%(name)s`` placeholders after
translation; ``fields`` names the input fields at fault, each with its own ``N_()`` message.
"""

from __future__ import annotations

from typing import Any

from .i18n import N_


class DomainError(Exception):
    code = "domain_error"
    status = 400
    message = N_("The request could not be carried out.")

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.message = message or type(self).message
        if code:
            self.code = code
        self.fields = fields or {}
        self.params = params
        super().__init__(self.message % params if params else self.message)


class ValidationFailed(DomainError):
    """The input breaks a rule (422)."""

    code = "validation_failed"
    status = 422
    message = N_("Some of the information given is not valid.")


class NotFound(DomainError):
    """The thing does not exist, or the actor may not know it does (404, DESIGN rule 4)."""

    code = "not_found"
    status = 404
    message = N_("Not found.")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    message = N_("You are not allowed to do this.")


class Conflict(DomainError):
    """The request clashes with the current state (409)."""

    code = "conflict"
    status = 409
    message = N_("This clashes with the current state; reload and try again.")
