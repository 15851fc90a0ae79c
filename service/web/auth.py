"""Sign-up, log-in, log-out, password and language of the account."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from core.errors import DomainError
from core.outbox import Notification, mark_all_read

from ..accounts.service import (
    NotificationSettings,
    PasswordChange,
    SignUp,
    authenticate,
    change_password,
    sign_up_parent,
    update_notification_settings,
)
from ..api.schemas.accounts import NotificationSettingsIn, PasswordChangeIn, SignUpIn, TokenRequest
from ..context import current_clock
from ..extensions import db, limiter
from ..i18n import supported_locales
from ..support import notification_text
from .forms import domain_errors, load_form

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("public.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    errors: dict[str, str] = {}
    if request.method == "POST":
        data, errors = load_form(TokenRequest())
        if data is not None:
            user = authenticate(db.session, data["email"], data["password"])
            if user is None:
                errors = {"password": gettext("The e-mail address or password is not correct.")}
            else:
                chosen = session.get("locale")
                session.clear()  # a fresh session on log-in: nothing carried over but the language
                login_user(user)
                if user.locale or chosen:
                    session["locale"] = user.locale or chosen
                db.session.commit()
                return redirect(_safe_next(request.args.get("next")))
        return render_template("auth/login.html", errors=errors), 422
    return render_template("auth/login.html", errors=errors)


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("public.home"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    errors: dict[str, str] = {}
    if request.method == "POST":
        data, errors = load_form(SignUpIn())
        if data is not None:
            try:
                locale = (
                    session.get("locale") if session.get("locale") in supported_locales() else None
                )
                user = sign_up_parent(
                    db.session, SignUp(**{**data, "locale": locale}), clock=current_clock()
                )
                db.session.commit()
                login_user(user)
                flash(gettext("Welcome! Now tell us about your household."), "success")
                return redirect(url_for("parents.edit_household"))
            except DomainError as error:
                db.session.rollback()
                errors = domain_errors(error)
        return render_template("auth/signup.html", errors=errors), 422
    return render_template("auth/signup.html", errors=errors)


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html", errors={})


@bp.post("/account/password")
@login_required
def password():
    data, errors = load_form(PasswordChangeIn())
    if data is not None:
        try:
            change_password(db.session, current_user, PasswordChange(**data))
            db.session.commit()
            flash(gettext("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
        except DomainError as error:
            db.session.rollback()
            errors = domain_errors(error)
    return render_template("auth/account.html", errors=errors), 422


@bp.post("/account/notifications")
@login_required
def notification_settings():
    data, errors = load_form(NotificationSettingsIn())
    if data is not None:
        try:
            update_notification_settings(db.session, current_user, NotificationSettings(**data))
            db.session.commit()
            flash(gettext("Your notification settings have been saved."), "success")
            return redirect(url_for("auth.account"))
        except DomainError as error:
            db.session.rollback()
            errors = domain_errors(error)
    return render_template("auth/account.html", errors=errors), 422


@bp.get("/notifications")
@login_required
def notifications():
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc())
        .limit(100)
    ).all()
    return render_template("auth/notifications.html", notifications=rows, text=notification_text)


@bp.post("/notifications/read")
@login_required
def mark_notifications_read():
    mark_all_read(db.session, current_user.id, clock=current_clock())
    db.session.commit()
    return redirect(url_for("auth.notifications"))
