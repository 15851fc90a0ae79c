"""The programme's double-entry ledger, in won: append-only, every transaction balanced.

An account is a kind plus an owner (a household, an agency, a district), written
``parent_receivable:12``. Debits are positive, credits negative; each transaction's legs sum to
zero, which ``post`` checks and PostgreSQL checks again at commit (a deferred constraint trigger,
migration 0007). Balances are sums over the entries, never stored counters. Every transaction has
an idempotency key: posting the same key twice returns the first transaction and adds nothing.
Corrections are new, reversing transactions.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.clock import Clock
from core.db import Base, insert_once


class Account(enum.StrEnum):
    """Kinds of account, with the sign of their usual balance in the comment."""

    PARENT_RECEIVABLE = "parent_receivable"  # per household; + the family owes, - prepaid
    PARENT_HOLDS = "parent_holds"  # per household; - card holds placed on the family's card
    CARD_HOLDS = "card_holds"  # + authorised on cards, not captured yet
    CARD_CLEARING = "card_clearing"  # + captured on cards, due from the card processor
    VIRTUAL_ACCOUNT_CLEARING = "virtual_account_clearing"  # + deposited into virtual accounts
    VOUCHER_FUND = "voucher_fund"  # per district; + claimed from the district's e-voucher fund
    AGENCY_PAYABLE = "agency_payable"  # per agency; - owed to the agency for its visits
    CANCELLATION_FEES = "cancellation_fees"  # per agency; - fees owed on to the agency (R-CG-3)
    REFUNDS = "refunds"  # per agency; + corrections refunded to families, charged to the agency
    SETTLEMENT_BANK = "settlement_bank"  # - paid out to agencies


@dataclass(frozen=True)
class Leg:
    account: Account
    owner: str
    amount: int  # won; debit positive, credit negative


def leg(account: Account, owner: object, amount: int) -> Leg:
    return Leg(account, "" if owner is None else str(owner), amount)


class LedgerTransaction(Base):
    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)  # idempotency key
    kind: Mapped[str] = mapped_column(String(30))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("agency_claims.id"), index=True)
    at: Mapped[datetime] = mapped_column(index=True)

    entries: Mapped[list[LedgerEntry]] = relationship(
        back_populates="transaction", order_by="LedgerEntry.id"
    )


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))
    account: Mapped[str] = mapped_column(String(30))
    owner: Mapped[str] = mapped_column(String(20), default="")
    amount: Mapped[int]

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="entries")

    __table_args__ = (
        Index("ix_ledger_entries_account_owner", "account", "owner"),
        Index("ix_ledger_entries_transaction", "transaction_id"),
    )


class UnbalancedTransaction(ValueError):
    """A programming error: money would appear or vanish."""


def post(
    session: Session,
    key: str,
    kind: str,
    legs: Iterable[Leg],
    *,
    clock: Clock,
    booking_id: int | None = None,
    payment_id: int | None = None,
    claim_id: int | None = None,
) -> LedgerTransaction:
    """Post one balanced transaction, once per ``key``; zero legs are left out."""
    existing = session.scalar(select(LedgerTransaction).where(LedgerTransaction.key == key))
    if existing is not None:
        return existing
    merged: dict[tuple[Account, str], int] = {}
    for item in legs:
        merged[(item.account, item.owner)] = merged.get((item.account, item.owner), 0) + item.amount
    if sum(merged.values()) != 0:
        raise UnbalancedTransaction(f"{kind} {key}: legs sum to {sum(merged.values())}")
    transaction = LedgerTransaction(
        key=key,
        kind=kind,
        booking_id=booking_id,
        payment_id=payment_id,
        claim_id=claim_id,
        at=clock.now(),
        entries=[
            LedgerEntry(account=account.value, owner=owner, amount=amount)
            for (account, owner), amount in merged.items()
            if amount
        ],
    )
    return insert_once(
        session,
        transaction,
        lambda: session.scalar(select(LedgerTransaction).where(LedgerTransaction.key == key)),
    )


def balance(session: Session, account: Account, owner: object | None = None) -> int:
    """The balance of one account (all owners together when ``owner`` is None)."""
    query = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.account == account.value
    )
    if owner is not None:
        query = query.where(LedgerEntry.owner == str(owner))
    return int(session.scalar(query) or 0)


def unbalanced_transactions(session: Session) -> Sequence[int]:
    """Ids of transactions whose legs do not sum to zero: always empty, checked by tests."""
    return list(
        session.scalars(
            select(LedgerEntry.transaction_id)
            .group_by(LedgerEntry.transaction_id)
            .having(func.sum(LedgerEntry.amount) != 0)
        )
    )


def trial_balance(session: Session) -> int:
    """The sum of every entry: zero in a balanced ledger."""
    return int(session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))) or 0)


def transfer(
    session: Session,
    key: str,
    kind: str,
    amount: int,
    *,
    debit: tuple[Account, object],
    credit: tuple[Account, object],
    clock: Clock,
    **refs: int | None,
) -> LedgerTransaction:
    """The common two-legged transaction: ``amount`` from ``credit`` to ``debit``."""
    return post(
        session,
        key,
        kind,
        [leg(debit[0], debit[1], amount), leg(credit[0], credit[1], -amount)],
        clock=clock,
        **refs,
    )
