"""Home page, health check and language choice."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db
from ..i18n import supported_locales

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    return render_template("home.html")


@bp.get("/livez")
def livez():
    """Liveness: the process answers (no database), for load balancers and as a baseline."""
    return jsonify(status="ok")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means unhealthy, whatever its type
        current_app.logger.exception("health check failed")
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.post("/language")
def choose_language():
    locale = request.form.get("locale", "")
    if locale in supported_locales():
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    target = request.form.get("next") or ""
    # only same-site paths, never an absolute URL handed in by someone else
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("public.home")
    return redirect(target)
