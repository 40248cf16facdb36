"""What every browser test shares: Debian's Chromium, its flags, and Playwright or a clear failure."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def sync_playwright_or_fail():
    """Playwright's sync API; fail (do not skip) when the browser stack is missing."""
    if os.environ.get("DLCOURSE_SKIP_BROWSER") == "1":
        pytest.skip("DLCOURSE_SKIP_BROWSER=1: browser test skipped on request")
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's Chromium (apt-get install chromium), "
            "or set DLCOURSE_SKIP_BROWSER=1 to skip this test"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "the playwright package is missing: pip install -e .[dev] "
            "(or set DLCOURSE_SKIP_BROWSER=1 to skip this test)"
        )
    return sync_playwright
