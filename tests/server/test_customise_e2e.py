"""End to end, customisation: the real server and worker, the real pipeline (draft), a share link of a published
style opened in headless Chromium on a phone-sized window. The client changes the colorway (rendered on the kept
drape), changes the length within range (draped again, progress on the page), tries a length out of range
(refused), approves; then the designer, through the API, sees the proposal side by side and accepts it.

Screenshots of each step go to ``$GARMENT3D_SCREENSHOT_DIR/customise`` when set (else the test's temp
folder), with the designer's before/after PNG, the pattern overlay SVG and the measured timings (timings.json).
Slow (two real drapes): deselect with ``-m "not e2e"``.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from pathlib import Path

import httpx
import pytest
from browser_kit import CHROMEDRIVER, CHROMIUM, browser, wait_for
from live_server import LiveServer

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="needs chromium and chromium-driver")]
SAMPLE_TIMEOUT_S = 300
SKIRT = {"pattern": "a_line_skirt", "size": "160/84A", "fabric": "linen_red", "quality": "draft", "colorway": "red",
         "title": "Linen A-line", "client": "Lotus"}
GUARDRAILS = {"parameters": {"length": {"min": 55, "max": 80, "step": 1}},
              "fabrics": [{"fabric": "linen_red", "colorways": ["red", "natural", "olive"]}]}


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _wait_done(http: httpx.Client, url: str, server: LiveServer) -> dict:
    deadline = time.monotonic() + SAMPLE_TIMEOUT_S
    while True:
        body = http.get(url).json()
        if body["status"] in ("done", "failed"):
            assert body["status"] == "done", f"{body['error']}\n{server.log_tail()}"
            return body
        assert time.monotonic() < deadline, f"not done after {SAMPLE_TIMEOUT_S} s: {body}\n{server.log_tail()}"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def style_link(tmp_path_factory):
    """A live server with one worker, a done draft sample published as a style, a share link to it."""
    server = LiveServer(tmp_path_factory.mktemp("customise-e2e") / "data", {"GARMENT3D_WORKERS": "1"})
    key = server.add_user("dora", "designer", "silk")
    server.start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=30, headers=_auth(key)) as http:
            created = http.post("/api/v1/samples", json=SKIRT)
            assert created.status_code == 202, created.text
            sample = _wait_done(http, created.json()["links"]["self"], server)
            assert http.put(f"/api/v1/samples/{sample['id']}/style", json=GUARDRAILS).status_code == 200
            url = http.post(f"/api/v1/samples/{sample['id']}/shares", json={}).json()["url"]
        yield server, key, sample, url
    finally:
        server.stop()


def _shots(tmp_path: Path) -> Path:
    root = os.environ.get("GARMENT3D_SCREENSHOT_DIR")
    folder = Path(root) / "customise" if root else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _colour(png: bytes) -> tuple[float, float, float]:
    """Mean colour of the picture's saturated pixels (the garment; the studio and form are greys)."""
    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        rgb = np.asarray(image.convert("RGB")).astype(float)
    saturated = rgb.max(axis=2) - rgb.min(axis=2) > 25
    assert saturated.mean() > 0.02, "no garment-coloured pixels in the picture"
    return tuple(float(c) for c in rgb[saturated].mean(axis=0))


def _change(driver) -> dict:
    """The page's record of its latest change (ms since page load): asked, answered, ready, firstFrame."""
    return driver.execute_script("var c = window.g3dCustomise.changes; return c[c.length - 1];")


def _frame_shown(pid: str) -> str:
    return (f"var i = document.getElementById('frame'); return i.src.indexOf('/p/{pid}/frames/') >= 0 && "
            f"i.complete && i.naturalWidth > 0 && !!window.g3dCustomise.changes.slice(-1)[0].firstFrame;")


def test_client_customises_on_a_phone_and_the_designer_accepts(style_link, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    server, key, sample, url = style_link
    shots = _shots(tmp_path)
    timings: dict[str, float] = {}
    driver = browser(390, 844)
    try:
        driver.get(url + "?lang=en")
        wait_for(driver, "return document.getElementById('loading').hidden")
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390  # fits the phone
        frame = driver.find_element(By.ID, "frame")
        red = _colour(frame.screenshot_as_png)
        assert red[0] > red[1] + 40, red  # the red linen
        driver.save_screenshot(str(shots / "01-open.png"))
        panel = driver.find_element(By.ID, "customise")
        driver.execute_script("arguments[0].scrollIntoView()", panel)
        driver.save_screenshot(str(shots / "02-controls.png"))

        # 1. colorway: olive, on the same drape (only the render runs)
        driver.execute_script("window.scrollTo(0, 0)")
        driver.find_element(By.CSS_SELECTOR, "button.swatch[data-colorway='olive']").click()
        pid = wait_for(driver, "var c = window.g3dCustomise.changes.slice(-1)[0]; return c && c.id;", 10)
        wait_for(driver, _frame_shown(pid), 120)
        change = _change(driver)
        assert change["kind"] == "look", change
        timings["colorway_to_first_frame_s"] = (change["firstFrame"] - change["asked"]) / 1000
        olive = _colour(frame.screenshot_as_png)
        assert abs(olive[0] - olive[1]) < 30 and olive[0] < red[0] - 30, (red, olive)  # olive: r ~ g, darker
        assert "p=" + pid in driver.current_url
        driver.save_screenshot(str(shots / "03-colorway-olive.png"))

        # 2. length 60 -> 75 cm (inside 55 to 80): drafted and draped again, progress shown while it works
        before = frame.screenshot_as_png
        length = driver.find_element(By.ID, "param-length-value")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", length)
        length.send_keys(Keys.CONTROL, "a")
        length.send_keys("75", Keys.TAB)
        wait_for(driver, "return document.getElementById('custom-status').textContent.indexOf('Draping') === 0", 120)
        wait_for(driver, "return document.getElementById('custom-progress').value > 0.62", 120)
        progress_text = driver.find_element(By.ID, "custom-status").text
        driver.save_screenshot(str(shots / "04-draping-progress.png"))
        pid_long = wait_for(driver, f"var c = window.g3dCustomise.changes.slice(-1)[0]; "
                                    f"return c.id && c.id !== '{pid}' && c.id;", 10)
        wait_for(driver, _frame_shown(pid_long), SAMPLE_TIMEOUT_S)
        change = _change(driver)
        assert change["kind"] == "shape", change
        timings["length_to_new_preview_s"] = (change["firstFrame"] - change["asked"]) / 1000
        assert frame.screenshot_as_png != before
        assert driver.find_element(By.ID, "param-length").get_attribute("value") == "75"
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(shots / "05-new-drape.png"))

        # 3. out of range: refused, with the reason, and nothing changes
        length = driver.find_element(By.ID, "param-length-value")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", length)
        length.send_keys(Keys.CONTROL, "a")
        length.send_keys("95", Keys.TAB)
        message = wait_for(driver, "return document.getElementById('custom-error').textContent", 10)
        assert "95 cm is outside what the designer allows, 55 to 80 cm" in message, message
        assert driver.find_element(By.ID, "param-length-value").get_attribute("value") == "75"  # put back
        assert pid_long in driver.execute_script("return document.getElementById('frame').src")
        driver.save_screenshot(str(shots / "06-out-of-range-refused.png"))

        # 4. approve the proposal shown
        approve = driver.find_element(By.ID, "approve")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", approve)
        approve.click()
        wait_for(driver, "return document.getElementById('feedback-status').className === 'ok'")
        driver.save_screenshot(str(shots / "07-approved.png"))
    finally:
        driver.quit()

    # the designer, through the API
    with httpx.Client(base_url=server.base_url, timeout=60, headers=_auth(key)) as http:
        proposals = http.get(f"/api/v1/samples/{sample['id']}/proposals").json()
        assert [p["kind"] for p in proposals] == ["look", "shape"]
        colour, longer = proposals
        recoloured = http.get(f"/api/v1/samples/{colour['sample_id']}").json()["report"]
        assert recoloured["drape"]["cache"]["reused"] is True and "drape" not in recoloured["timings_s"]
        assert longer["client_approved"] and [(c["field"], c["before"], c["after"]) for c in longer["changes"]] == [
            ("parameters.length", 60.0, 75.0), ("colorway", "red", "olive")]
        (shots / "designer-before-after.png").write_bytes(http.get(longer["links"]["before_after"]).content)
        overlay = http.get(longer["links"]["pattern_overlay"]).text
        # the hem 15 cm lower, matched along each edge (tests/patterns/test_overlay.py)
        moved = re.search(r"moved up to ([0-9.]+) cm", overlay)
        assert moved and float(moved.group(1)) == 15.0, overlay[:200]
        (shots / "designer-pattern-overlay.svg").write_text(overlay, encoding="utf-8")
        accepted = http.post(longer["links"]["accept"]).json()
        assert accepted["accepted"] and accepted["current"]
        assert http.get(f"/api/v1/samples/{sample['id']}/style").json()["sample_id"] == longer["sample_id"]
    timings["draping_progress_text"] = progress_text
    (shots / "timings.json").write_text(json.dumps(timings, indent=2), encoding="utf-8")
    print(f"customise e2e timings: {timings} (screenshots in {shots})")
