"""The National Happiness Card behind one port: a card processor (Stripe) or virtual accounts.

``create_app`` chooses the backend from configuration. With ``StripeGateway`` a family pays by its
registered card (hold at booking, capture after the visit) and falls back to a virtual account
when the card fails; with ``VirtualAccountGateway`` (the embedded default, no network) every
payment is a bank deposit into a per-booking account due the day before the care.

Every call that moves money carries an idempotency key; ``find_authorisation`` lets a retried
command find the hold a crashed attempt made (the emulator used in tests ignores idempotency keys).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import stripe

CARD = "card"
VIRTUAL_ACCOUNT = "virtual_account"


@dataclass(frozen=True)
class CardOnFile:
    customer: str
    payment_method: str
    brand: str
    last4: str


@dataclass(frozen=True)
class Outcome:
    """What the processor said. ``failure`` is a stable code; ``retryable`` means try later."""

    ok: bool
    reference: str = ""
    failure: str = ""
    retryable: bool = False
    status: str = ""


@dataclass(frozen=True)
class ProcessorHold:
    reference: str
    key: str
    amount: int
    status: str  # requires_capture, succeeded, canceled, ...


class CardDeclined(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ProcessorUnavailable(Exception):
    """The processor could not be reached or failed; nothing is known to have happened."""


class PaymentGateway(Protocol):
    method: str

    def register_card(
        self, *, customer: str | None, payment_method: str, name: str, key: str
    ) -> CardOnFile: ...

    def authorise(self, *, card: CardOnFile, amount: int, key: str, payment_id: int) -> Outcome: ...

    def find_authorisation(self, key: str) -> Outcome | None: ...

    def capture(self, *, reference: str, amount: int, key: str) -> Outcome: ...

    def release(self, *, reference: str, key: str) -> Outcome: ...

    def refund(self, *, reference: str, amount: int, key: str) -> Outcome: ...

    def holds(self) -> Iterator[ProcessorHold]: ...


class StripeGateway:
    """Card payments with the official SDK: PaymentIntents with manual capture, in KRW."""

    method = CARD

    def __init__(self, client: stripe.StripeClient, *, currency: str = "krw") -> None:
        self.client = client
        self.currency = currency

    def register_card(
        self, *, customer: str | None, payment_method: str, name: str, key: str
    ) -> CardOnFile:
        """SetupIntent: the card is checked and saved for later, off-session holds."""
        with _translated_errors():
            if customer is None:
                customer = self.client.v1.customers.create(
                    {"name": name}, {"idempotency_key": f"{key}:customer"}
                ).id
            setup = self.client.v1.setup_intents.create(
                {"customer": customer, "usage": "off_session"},
                {"idempotency_key": f"{key}:setup"},
            )
            setup = self.client.v1.setup_intents.confirm(
                setup.id, {"payment_method": payment_method}
            )
            if setup.status != "succeeded":
                raise CardDeclined("authentication_required")
            self.client.v1.payment_methods.attach(payment_method, {"customer": customer})
            method = self.client.v1.payment_methods.retrieve(payment_method)
        card = method.card
        return CardOnFile(
            customer=customer,
            payment_method=payment_method,
            brand=str(getattr(card, "brand", "") or ""),
            last4=str(getattr(card, "last4", "") or ""),
        )

    def authorise(self, *, card: CardOnFile, amount: int, key: str, payment_id: int) -> Outcome:
        try:
            with _translated_errors():
                intent = self.client.v1.payment_intents.create(
                    {
                        "amount": amount,
                        "currency": self.currency,
                        "customer": card.customer,
                        "payment_method": card.payment_method,
                        "capture_method": "manual",
                        "confirm": True,
                        "off_session": True,
                        "metadata": {"dolbom_key": key, "payment_id": str(payment_id)},
                    },
                    {"idempotency_key": key},
                )
        except CardDeclined as declined:
            return Outcome(False, failure=declined.code)
        if intent.status != "requires_capture":
            return Outcome(
                False, reference=intent.id, failure="card_declined", status=intent.status
            )
        return Outcome(True, reference=intent.id, status=intent.status)

    def find_authorisation(self, key: str) -> Outcome | None:
        for hold in self.holds():
            if hold.key == key:
                ok = hold.status in ("requires_capture", "succeeded")
                return Outcome(
                    ok,
                    reference=hold.reference,
                    status=hold.status,
                    failure="" if ok else "card_declined",
                )
        return None

    def capture(self, *, reference: str, amount: int, key: str) -> Outcome:
        with _translated_errors():
            intent = self.client.v1.payment_intents.retrieve(reference)
            if intent.status == "succeeded":  # a retry after a crash: already captured
                return Outcome(True, reference=reference, status=intent.status)
            if intent.status != "requires_capture":
                return Outcome(
                    False, reference=reference, failure="hold_expired", status=intent.status
                )
            intent = self.client.v1.payment_intents.capture(
                reference, {"amount_to_capture": amount}, {"idempotency_key": key}
            )
        return Outcome(intent.status == "succeeded", reference=reference, status=intent.status)

    def release(self, *, reference: str, key: str) -> Outcome:
        with _translated_errors():
            intent = self.client.v1.payment_intents.retrieve(reference)
            if intent.status == "canceled":
                return Outcome(True, reference=reference, status=intent.status)
            intent = self.client.v1.payment_intents.cancel(
                reference, options={"idempotency_key": key}
            )
        return Outcome(intent.status == "canceled", reference=reference, status=intent.status)

    def refund(self, *, reference: str, amount: int, key: str) -> Outcome:
        with _translated_errors():
            for existing in self.client.v1.refunds.list().auto_paging_iter():
                if (existing.metadata or {}).get("dolbom_key") == key:
                    return Outcome(True, reference=existing.id, status=existing.status)
            refund = self.client.v1.refunds.create(
                {"payment_intent": reference, "amount": amount, "metadata": {"dolbom_key": key}},
                {"idempotency_key": key},
            )
        return Outcome(True, reference=refund.id, status=refund.status)

    def holds(self) -> Iterator[ProcessorHold]:
        with _translated_errors():
            for intent in self.client.v1.payment_intents.list().auto_paging_iter():
                metadata = intent.metadata.to_dict() if intent.metadata else {}
                yield ProcessorHold(
                    reference=intent.id,
                    key=metadata.get("dolbom_key", ""),
                    amount=int(intent.amount),
                    status=intent.status,
                )

    @staticmethod
    def parse_webhook(payload: bytes, signature: str, secret: str) -> dict[str, Any]:
        """A verified event as a plain dict; ``ValueError`` for anything not signed by Stripe."""
        try:
            event = stripe.Webhook.construct_event(payload, signature, secret)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise ValueError(str(error)) from error
        return event.to_dict()


class _translated_errors:
    """Stripe's errors as ours: declines are final, outages are retryable."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: BaseException | None, trace: Any) -> bool:
        if error is None:
            return False
        if isinstance(error, stripe.CardError):
            raise CardDeclined(error.code or "card_declined") from error
        if isinstance(error, stripe.InvalidRequestError) and error.http_status == 402:
            raise CardDeclined(error.code or "card_declined") from error
        if isinstance(error, stripe.StripeError):
            raise ProcessorUnavailable(str(error)) from error
        return False


class VirtualAccountGateway:
    """Per-payment virtual bank accounts; the bank reports deposits with a signed notice."""

    method = VIRTUAL_ACCOUNT

    def __init__(self, *, bank: str, secret: str, prefix: str = "5621") -> None:
        self.bank = bank
        self.secret = secret.encode()
        self.prefix = prefix

    def account_number(self, payment_id: int) -> str:
        """A 14-digit number: prefix, the payment id, and a Luhn check digit."""
        body = f"{self.prefix}{payment_id:09d}"
        return body + _luhn_digit(body)

    def sign(self, body: bytes) -> str:
        return hmac.new(self.secret, body, hashlib.sha256).hexdigest()

    def verify(self, body: bytes, signature: str) -> bool:
        return hmac.compare_digest(self.sign(body), signature or "")


def _luhn_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            value -= 9 if value > 9 else 0
        total += value
    return str((10 - total % 10) % 10)
