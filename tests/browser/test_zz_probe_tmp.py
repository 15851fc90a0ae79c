"""axe-core (WCAG 2 A and AA rules) on the main pages of every audience: no serious or critical
violations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical", "moderate", "minor")


def axe_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']})")
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"


def open_first_caregiver(page: Page) -> None:
    page.goto("/agency/caregivers")
    page.get_by_role("table", name="Caregivers").locator("tbody a").first.click()
    page.wait_for_url("**/agency/caregivers/*")


def child_form_with_errors(page: Page) -> None:
    page.goto("/household/children/new")
    page.get_by_label("Birth date").fill("2027-01-15")
    page.get_by_role("button", name="Save").click()
    page.locator(".field-error").first.wait_for()


def household_page(page: Page) -> None:
    page.goto("/household")


# who, what, how to get there (a path, or steps in the browser)
PAGES: list[tuple[str | None, str, str | Callable[[Page], None]]] = [
    (None, "home", "/"),
    (None, "login", "/login"),
    (None, "signup", "/signup"),
    ("parent@dolbom.kr", "household", household_page),
    ("parent@dolbom.kr", "household form", "/household/edit"),
    ("parent@dolbom.kr", "child form", "/household/children/new"),
    ("parent@dolbom.kr", "child form with errors", child_form_with_errors),
    ("staff@dolbom.kr", "caregiver list", "/agency/caregivers"),
    ("staff@dolbom.kr", "caregiver detail", open_first_caregiver),
    ("staff@dolbom.kr", "caregiver form", "/agency/caregivers/new"),
    ("officer@dolbom.kr", "households list", "/district/households"),
]


@pytest.mark.parametrize(("who", "where"), [(p[0], p[2]) for p in PAGES], ids=[p[1] for p in PAGES])
def test_no_serious_accessibility_violations(page: Page, log_in, who, where):
    if who is not None:
        log_in(page, who)
    if callable(where):
        where(page)
    else:
        response = page.goto(where)
        assert response is not None and response.ok, (where, response and response.status)
    assert_accessible(page)


@pytest.mark.parametrize("locale", ["ko-KR", "kk-KZ"])
def test_the_home_page_in_other_languages(new_page, locale):
    page = new_page(locale=locale)
    page.goto("/")  # the language the browser asks for
    assert page.locator("html").get_attribute("lang") == locale[:2]
    assert_accessible(page)
