"""Support applications, tier decisions and notifications."""

from __future__ import annotations

from flask import send_file
from flask.views import MethodView
from flask_smorest.fields import Upload as UploadField
from marshmallow import Schema, fields

from core.actors import Role
from core.errors import NotFound
from core.outbox import Notification
from vouchers import support_applications as applications
from vouchers import tier_decisions as decisions
from vouchers.tariffs import Tier

from ..context import api_actor, current_clock
from ..extensions import db
from ..quotes import tariff_book
from ..support import application_view, document_store, notification_text, uploads
from .blueprint import Blueprint
from .schemas.support import (
    ApplicationArgs,
    ApplicationIn,
    ApplicationOut,
    DecisionIn,
    DecisionOut,
    NoteIn,
    NotificationOut,
    ReasonIn,
    SupportDashboardOut,
)

blp = Blueprint("api_support", __name__, url_prefix="/api/v1", description="Support tiers")
SECURITY = [{"bearerAuth": []}]


class DocumentsIn(Schema):
    documents = fields.List(UploadField(), required=True)


@blp.route("/support/applications")
class Applications(MethodView):
    @blp.arguments(ApplicationArgs, location="query")
    @blp.response(200, ApplicationOut(many=True))
    @blp.doc(security=SECURITY)
    def get(self, args):
        """Applications in the caller's scope; officers see their district's queue, oldest first."""
        actor = api_actor(Role.PARENT, Role.OFFICER, Role.ADMIN)
        if args["status"] == "open":
            found = applications.open_applications(db.session, actor)
        else:
            query = applications.applications_for_actor(actor)
            found = db.session.scalars(
                query.order_by(applications.SupportApplication.id.desc())
            ).all()
        return [application_view(a, actor) for a in found]

    @blp.arguments(ApplicationIn)
    @blp.response(201, ApplicationOut)
    @blp.doc(security=SECURITY)
    def post(self, payload):
        """Apply (parents, online where allowed) or record an in-person application (officers)."""
        actor = api_actor(Role.PARENT, Role.OFFICER)
        application = applications.submit_application(
            db.session,
            actor,
            payload["form"],
            store=document_store(),
            clock=current_clock(),
            household_id=payload["household_id"],
        )
        db.session.commit()
        return application_view(application, actor)


@blp.route("/support/applications/<int:application_id>")
class ApplicationResource(MethodView):
    @blp.response(200, ApplicationOut)
    @blp.doc(security=SECURITY)
    def get(self, application_id):
        actor = api_actor()
        return application_view(
            applications.get_application(db.session, actor, application_id), actor
        )


@blp.route("/support/applications/<int:application_id>/documents", methods=["POST"])
@blp.arguments(DocumentsIn, location="files")
@blp.response(201, ApplicationOut)
@blp.doc(security=SECURITY)
def add_documents(files, application_id):
    """Upload PDF, JPEG or PNG files (at most 5 MB each) to an open application."""
    actor = api_actor(Role.PARENT, Role.OFFICER)
    application = applications.add_documents(
        db.session,
        actor,
        application_id,
        uploads(files["documents"]),
        store=document_store(),
        clock=current_clock(),
    )
    db.session.commit()
    return application_view(application, actor)


@blp.route(
    "/support/applications/<int:application_id>/documents/<int:document_id>", methods=["GET"]
)
@blp.doc(security=SECURITY)
def download_document(application_id, document_id):
    application = applications.get_application(db.session, api_actor(), application_id)
    document = next((d for d in application.documents if d.id == document_id), None)
    if document is None:
        raise NotFound()
    return _send(document)


def _send(document):
    import io

    data = document_store().load(document.storage_key)
    return send_file(
        io.BytesIO(data),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.filename,
    )


@blp.route("/support/applications/<int:application_id>/decision", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(201, DecisionOut)
@blp.doc(security=SECURITY)
def decide(payload, application_id):
    """Approve the suggested tier, or set another with a written reason (officers)."""
    decision = decisions.decide(
        db.session,
        api_actor(Role.OFFICER),
        application_id,
        tier=Tier(payload["tier"]) if payload["tier"] else None,
        reason=payload["reason"],
        tariffs=tariff_book(),
        clock=current_clock(),
    )
    db.session.commit()
    return decision


@blp.route("/support/applications/<int:application_id>/documents-request", methods=["POST"])
@blp.arguments(NoteIn)
@blp.response(200, ApplicationOut)
@blp.doc(security=SECURITY)
def documents_request(payload, application_id):
    actor = api_actor(Role.OFFICER)
    application = decisions.request_documents(
        db.session, actor, application_id, payload["note"], clock=current_clock()
    )
    db.session.commit()
    return application_view(application, actor)


@blp.route("/support/applications/<int:application_id>/rejection", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, ApplicationOut)
@blp.doc(security=SECURITY)
def rejection(payload, application_id):
    actor = api_actor(Role.OFFICER)
    application = decisions.reject(
        db.session, actor, application_id, payload["reason"], clock=current_clock()
    )
    db.session.commit()
    return application_view(application, actor)


@blp.route("/households/<int:household_id>/decisions", methods=["GET"])
@blp.response(200, DecisionOut(many=True))
@blp.doc(security=SECURITY)
def household_decisions(household_id):
    """A household's decision history (its family, its district's officers, admins)."""
    return decisions.decision_history(db.session, api_actor(), household_id)


@blp.route("/support/dashboard", methods=["GET"])
@blp.response(200, SupportDashboardOut)
@blp.doc(security=SECURITY)
def dashboard():
    return decisions.district_dashboard(db.session, api_actor(Role.OFFICER), clock=current_clock())


@blp.route("/notifications", methods=["GET"])
@blp.response(200, NotificationOut(many=True))
@blp.doc(security=SECURITY)
def notifications():
    """The caller's notifications, newest first, in the caller's language."""
    actor = api_actor()
    rows = db.session.scalars(
        db.select(Notification)
        .where(Notification.user_id == actor.user_id)
        .order_by(Notification.id.desc())
        .limit(100)
    ).all()
    return [
        {
            **{c: getattr(n, c) for c in ("id", "kind", "link", "created_at", "read_at")},
            "text": notification_text(n),
        }
        for n in rows
    ]
