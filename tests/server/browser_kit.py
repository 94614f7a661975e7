"""Headless Chromium for the page tests (Debian's chromium + chromedriver): a phone or a desktop window, and a
wait on a condition in the page."""

from __future__ import annotations

import shutil
import time

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def browser(width: int, height: int, *, language: str = "en-GB,en"):
    """A headless Chromium; under 600 px wide it emulates a phone of that size (headless windows are at least
    500 px wide) at pixel ratio 2."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                     "--hide-scrollbars", "--enable-unsafe-swiftshader"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    if width < 600:
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height,
                                                                              "pixelRatio": 2.0}})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def wait_for(driver, script: str, timeout_s: float = 30.0, every_s: float = 0.05):
    """Poll ``script`` (JavaScript returning a value) until it is truthy; return that value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = driver.execute_script(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for: {script}")
        time.sleep(every_s)
