"""Applications for government support (R-SUP-1..3): what a family declares, and its documents.

A parent applies online only where the programme allows it (a couple both insured at work, or a
single parent insured at work); everyone else applies in person and an officer of their district
records the application. An application stays open until an officer decides, rejects it, or asks
for more documents (and the family sends them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Select, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from booking.households import Household, households_for_actor
from core.actors import Actor, Role
from core.audit import record
from core.clock import Clock, seoul_today
from core.db import Base
from core.documents import (  # noqa: F401  (Upload, DocumentStore, the limit: re-exported)
    MAX_DOCUMENT_BYTES,
    DocumentStore,
    Upload,
    checked_uploads,
    safe_filename,
)
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import N_
from core.outbox import notify

from .tariffs import Group

DECISION_DAYS = 14  # officers decide within two weeks of the application
MAX_DOCUMENTS = 10


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    DOCUMENTS_REQUESTED = "documents_requested"
    DECIDED = "decided"
    REJECTED = "rejected"


OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.DOCUMENTS_REQUESTED)


class Channel(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"


class Insurance(StrEnum):
    """Health insurance, from whose premium the income is judged."""

    WORKPLACE = "workplace"
    REGIONAL = "regional"
    NONE = "none"


class CareGap(StrEnum):
    """R-SUP-3: the grounds on which a family lacks care and may receive support."""

    DUAL_EARNER = "dual_earner"
    SINGLE_PARENT = "single_parent"
    DISABLED_PARENT = "disabled_parent"
    GRANDPARENT = "grandparent"
    MULTI_CHILD = "multi_child"
    MULTICULTURAL = "multicultural"
    PARENT_ILL = "parent_ill"
    PARENT_IN_HOSPITAL = "parent_in_hospital"
    PARENT_IN_MILITARY = "parent_in_military"
    PARENT_TRAINING = "parent_training"
    PARENT_JOB_SEEKING = "parent_job_seeking"
    BIRTH = "birth"


class SupportApplication(Base):
    __tablename__ = "support_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    channel: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(24), default=ApplicationStatus.SUBMITTED)
    household_size: Mapped[int]
    earners: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    care_gaps: Mapped[list[str]] = mapped_column(JSON)
    groups: Mapped[list[str]] = mapped_column(JSON)
    child_ids: Mapped[list[int]] = mapped_column(JSON)
    submitted_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime]
    deadline: Mapped[date]
    officer_note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]

    household: Mapped[Household] = relationship()
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="ApplicationDocument.id",
    )

    __table_args__ = (
        # one open application per household, enforced by the database
        Index(
            "uq_support_applications_open_household",
            "household_id",
            unique=True,
            postgresql_where=text("status IN ('submitted', 'documents_requested')"),
            sqlite_where=text("status IN ('submitted', 'documents_requested')"),
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def incomes(self) -> list[int]:
        return [int(earner["monthly_income"]) for earner in self.earners]

    def days_left(self, today: date) -> int:
        return (self.deadline - today).days


class ApplicationDocument(Base):
    __tablename__ = "application_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("support_applications.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_at: Mapped[datetime]

    application: Mapped[SupportApplication] = relationship(back_populates="documents")


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Earner:
    name: str
    monthly_income: int  # won, as judged from the health-insurance premium
    insurance: Insurance


@dataclass(frozen=True)
class ApplicationForm:
    household_size: int
    earners: tuple[Earner, ...]
    care_gaps: frozenset[CareGap] = frozenset()
    groups: frozenset[Group] = frozenset()
    child_ids: tuple[int, ...] = ()
    documents: tuple[Upload, ...] = field(default=())


def may_apply_online(form: ApplicationForm) -> bool:
    """Online: a couple both insured at work, or a single parent insured at work (the seed's
    application flow); everyone else applies at the community centre."""
    workplace = [e for e in form.earners if e.insurance is Insurance.WORKPLACE]
    if CareGap.SINGLE_PARENT in form.care_gaps:
        return len(form.earners) == 1 and len(workplace) == 1
    return len(form.earners) == 2 and len(workplace) == 2


# --- who may see what ------------------------------------------------------------------------


def applications_for_actor(actor: Actor) -> Select[tuple[SupportApplication]]:
    query = select(SupportApplication)
    if actor.role is Role.ADMIN:
        return query
    if actor.role is Role.OFFICER and actor.district_code:
        return query.where(SupportApplication.district_code == actor.district_code)
    if actor.role is Role.PARENT:
        own = households_for_actor(actor).with_only_columns(Household.id)
        return query.where(SupportApplication.household_id.in_(own))
    return query.where(False)


def get_application(
    session: Session, actor: Actor, application_id: int, *, lock: bool = False
) -> SupportApplication:
    query = applications_for_actor(actor).where(SupportApplication.id == application_id)
    application = session.scalar(query.with_for_update() if lock else query)
    if application is None:
        raise NotFound()
    return application


def open_applications(session: Session, actor: Actor) -> list[SupportApplication]:
    """An officer's queue: open applications of the district, oldest first."""
    query = applications_for_actor(actor).where(SupportApplication.status.in_(OPEN_STATUSES))
    return list(
        session.scalars(query.order_by(SupportApplication.submitted_at, SupportApplication.id))
    )


# --- commands --------------------------------------------------------------------------------


def submit_application(
    session: Session,
    actor: Actor,
    form: ApplicationForm,
    *,
    store: DocumentStore,
    clock: Clock,
    household_id: int | None = None,
) -> SupportApplication:
    """A parent applies for their own household; an officer records an in-person application for
    a household of their district (``household_id``)."""
    if actor.role is Role.PARENT:
        household = session.scalar(households_for_actor(actor))
        if household is None:
            raise NotFound(N_("You have not registered your household yet."), code="no_household")
        channel = Channel.ONLINE
    elif actor.role is Role.OFFICER and household_id is not None:
        household = session.scalar(households_for_actor(actor).where(Household.id == household_id))
        if household is None:
            raise NotFound()
        channel = Channel.IN_PERSON
    else:
        raise NotFound()
    _check_form(form, household)
    uploads = checked_uploads(form.documents)
    if channel is Channel.ONLINE and not may_apply_online(form):
        raise ValidationFailed(
            N_(
                "Online applications are open to couples who are both insured at work and to "
                "single parents insured at work. Please apply at your community centre."
            ),
            code="apply_in_person",
        )
    open_one = session.scalar(
        select(SupportApplication.id).where(
            SupportApplication.household_id == household.id,
            SupportApplication.status.in_(OPEN_STATUSES),
        )
    )
    if open_one is not None:
        raise Conflict(
            N_("This household already has an open application."), code="application_open"
        )
    now = clock.now()
    application = SupportApplication(
        household=household,
        district_code=household.district_code,
        channel=channel.value,
        status=ApplicationStatus.SUBMITTED.value,
        household_size=form.household_size,
        earners=[
            {
                "name": e.name.strip(),
                "monthly_income": e.monthly_income,
                "insurance": e.insurance.value,
            }
            for e in form.earners
        ],
        care_gaps=sorted(g.value for g in form.care_gaps),
        groups=sorted(g.value for g in form.groups),
        child_ids=list(form.child_ids),
        submitted_by_user_id=actor.user_id,
        submitted_at=now,
        deadline=seoul_today(clock) + timedelta(days=DECISION_DAYS),
        officer_note="",
    )
    session.add(application)
    _attach(application, uploads, store=store, now=now)
    session.flush()
    record(
        session,
        actor,
        "application.submitted",
        "support_application",
        application.id,
        clock=clock,
        channel=channel.value,
    )
    notify(
        session,
        household.applicant_user_id,
        "application_received",
        N_(
            "Your application for support was received. "
            "The community centre decides by %(deadline)s."
        ),
        clock=clock,
        link="/support",
        deadline=application.deadline.isoformat(),
    )
    return application


def add_documents(
    session: Session,
    actor: Actor,
    application_id: int,
    uploads: Sequence[Upload],
    *,
    store: DocumentStore,
    clock: Clock,
) -> SupportApplication:
    """More documents for an open application; an application waiting for them goes back to the
    officer's queue."""
    application = get_application(session, actor, application_id, lock=True)
    if actor.role not in (Role.PARENT, Role.OFFICER) or not application.is_open:
        raise Conflict(
            N_("Documents can only be added to an open application."), code="application_closed"
        )
    if not uploads:
        raise ValidationFailed(fields={"documents": N_("Choose at least one file.")})
    _attach(application, checked_uploads(uploads), store=store, now=clock.now())
    if application.status == ApplicationStatus.DOCUMENTS_REQUESTED:
        application.status = ApplicationStatus.SUBMITTED.value
    session.flush()
    record(
        session,
        actor,
        "application.documents_added",
        "support_application",
        application.id,
        clock=clock,
        count=len(uploads),
    )
    return application


def _check_form(form: ApplicationForm, household: Household) -> None:
    errors: dict[str, str] = {}
    if not form.earners:
        errors["earners"] = N_("List each earner of the household.")
    for index, earner in enumerate(form.earners):
        if earner.monthly_income < 0:
            errors[f"earners.{index}.monthly_income"] = N_("Incomes cannot be negative.")
        if not earner.name.strip():
            errors[f"earners.{index}.name"] = N_("Enter a name.")
    own_children = {child.id for child in household.children}
    if not form.child_ids:
        errors["child_ids"] = N_("Choose the children the application is for.")
    elif not set(form.child_ids) <= own_children:
        errors["child_ids"] = N_("Choose children of your own household.")
    if form.household_size < max(len(form.earners), 1) + len(set(form.child_ids)):
        errors["household_size"] = N_(
            "The household size is smaller than the number of people listed."
        )
    if len(form.documents) > MAX_DOCUMENTS:
        errors["documents"] = N_("Attach at most 10 files.")
    if errors:
        raise ValidationFailed(fields=errors)


def _attach(
    application: SupportApplication,
    checked: list[tuple[Upload, str]],
    *,
    store: DocumentStore,
    now: datetime,
) -> None:
    for upload, kind in checked:
        application.documents.append(
            ApplicationDocument(
                filename=safe_filename(upload.filename),
                content_type=kind,
                size_bytes=len(upload.data),
                sha256=hashlib.sha256(upload.data).hexdigest(),
                storage_key=store.save(upload.data, kind),
                uploaded_at=now,
            )
        )
