"""axe-core (WCAG 2.1 A and AA rules) run on the page a browser test is showing.

axe.min.js comes from the PyPI package `axe-playwright-python`, which ships it; it is put
into the page with `page.evaluate`, which the server's Content-Security-Policy allows (a
script tag would not be). A missing package is a test failure, never a skip.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe_source() -> str:
    try:
        import axe_playwright_python  # noqa: PLC0415 (only needed by the tests that check accessibility)
    except ImportError:
        pytest.fail("axe-core is missing: pip install axe-playwright-python (it ships axe.min.js)", pytrace=False)
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


_SOURCE: str | None = None


def axe_violations(page: Page) -> list[dict]:
    """Every WCAG 2.1 A/AA violation axe-core finds on the page as it is now."""
    global _SOURCE
    if _SOURCE is None:
        _SOURCE = _axe_source()
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_SOURCE)
    return page.evaluate(
        "async (tags) => { const r = await axe.run(document, { runOnly: { type: 'tag', values: tags } });"
        " return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary) })); }",
        WCAG_TAGS)


def check_accessibility(page: Page, screen: str) -> None:
    """Fails with every WCAG 2.1 AA violation axe-core finds on the page as it is now."""
    result = axe_violations(page)
    assert result == [], f"axe-core found WCAG 2.1 AA problems on {screen}:\n" + json.dumps(result, ensure_ascii=False, indent=2)
