"""POST /api/v1/auth/token and the caller's own account."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask.views import MethodView

from core.errors import DomainError
from core.i18n import N_

from ..accounts.models import User
from ..accounts.service import authenticate, issue_token
from ..context import api_actor, current_clock
from ..extensions import db, limiter
from .blueprint import Blueprint
from .schemas.accounts import TokenOut, TokenRequest, UserOut

blp = Blueprint("api_accounts", __name__, url_prefix="/api/v1", description="Authentication")


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    message = N_("The e-mail address or password is not correct.")


@blp.route("/auth/token")
class TokenResource(MethodView):
    decorators = [limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])]

    @blp.arguments(TokenRequest)
    @blp.response(201, TokenOut)
    def post(self, credentials):
        """Exchange an e-mail address and password for a bearer token."""
        user = authenticate(db.session, credentials["email"], credentials["password"])
        if user is None:
            raise InvalidCredentials()
        lifetime = timedelta(hours=current_app.config["API_TOKEN_HOURS"])
        token, row = issue_token(db.session, user, clock=current_clock(), lifetime=lifetime)
        db.session.commit()
        return {"token": token, "expires_at": row.expires_at, "user": user}


@blp.route("/me")
class MeResource(MethodView):
    @blp.response(200, UserOut)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self):
        """The account behind the bearer token."""
        return db.session.get(User, api_actor().user_id)
