"""Real-browser test helpers: Playwright driving Debian's chromium, never a downloaded browser.

A missing chromium or Playwright is a test failure, not a skip (CI installs both). Pages are
checked for console errors and saved as screenshots under ``screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("QCITY_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def launch(playwright):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)


class PageWatcher:
    """Collects console errors and uncaught exceptions of a page."""

    def __init__(self, page):
        self.errors = []
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))


def shot(page, name: str):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def login(page, base_url: str, username: str, password: str):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit], form button.btn-primary")
    page.wait_for_load_state("networkidle")
