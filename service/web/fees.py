"""The public fee calculator: the cost split before any sign-up (like the programme's simulator)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from marshmallow import ValidationError

from core.errors import DomainError
from vouchers.cost_split import SickRate
from vouchers.tariffs import Group, Service, Tier

from ..api.schemas.quotes import QuoteIn
from ..errors import flatten_messages
from ..i18n import translate
from ..quotes import quote_for
from .forms import domain_errors

bp = Blueprint("fees", __name__)
MAX_CHILDREN = 3


def quote_payload(args) -> dict[str, Any]:
    """The calculator's fields (a date, two times, Seoul time) in the API's shape."""
    day = args.get("date", "")
    children = [
        {
            "birth_date": args.get(f"child{i}", ""),
            "attendance": args.get(f"attendance{i}") or "none",
        }
        for i in range(MAX_CHILDREN)
        if args.get(f"child{i}")
    ]
    return {
        "service": args.get("service", ""),
        "start": f"{day}T{args.get('start_time', '')}:00+09:00",
        "end": f"{day}T{args.get('end_time', '')}:00+09:00",
        "children": children,
        "tier": args.get("tier", ""),
        "groups": args.getlist("groups"),
        "sick_rate": args.get("sick_rate") or SickRate.FLAT.value,
        "hours_used": args.get("hours_used") or "0",
    }


def calculator_errors(errors: dict[str, str]) -> dict[str, str]:
    """API field names → the calculator's inputs."""
    renamed = {}
    for name, text in errors.items():
        if name.startswith("children."):
            index = name.split(".")[1]
            renamed[f"child{index}"] = text
        elif name in ("start", "end"):
            renamed["start_time" if name == "start" else "end_time"] = text
        else:
            renamed[name] = text
    return renamed


@bp.get("/fees")
def calculator():
    result, errors = None, {}
    if "service" in request.args:
        try:
            result = quote_for(QuoteIn().load(quote_payload(request.args)))
        except ValidationError as error:
            errors = {
                name: translate(text) for name, text in flatten_messages(error.messages).items()
            }
        except DomainError as error:
            errors = domain_errors(error)
    return render_template(
        "fees.html",
        result=result,
        errors=calculator_errors(errors),
        args=request.args,
        services=[s.value for s in Service],
        tiers=[t.value for t in Tier],
        groups=[g.value for g in Group],
        max_children=MAX_CHILDREN,
    ), (422 if errors else 200)
