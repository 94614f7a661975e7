"""End to end: the real server on a free localhost port, a real worker process, the real pipeline (draft),
every artifact downloaded, a share link opened in headless Chromium (Debian's chromium + chromedriver),
the client's approval reaching the designer, and a quote PDF read back.

Slow (the drape runs for real): deselect with ``-m "not e2e"``. Screenshots go to
``$GARMENT3D_SCREENSHOT_DIR`` when set (else the test's temp folder).
"""

from __future__ import annotations

import io
import os
import shutil
import time
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer

from garment3d.fabrics import load_fabric

pytestmark = pytest.mark.e2e
SAMPLE_TIMEOUT_S = 420
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
VENDORED_3D = Path(__file__).resolve().parents[2] / "server/web/static/vendor/model-viewer.min.js"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e") / "data"
    server = LiveServer(data, {"GARMENT3D_WORKERS": "1"})
    keys = {"designer": server.add_user("dora", "designer", "silk"), "sales": server.add_user("sam", "sales", "silk")}
    server.start()
    try:
        yield server, keys
    finally:
        server.stop()


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def done_sample(live):
    server, keys = live
    with httpx.Client(base_url=server.base_url, timeout=30, headers=_auth(keys["designer"])) as http:
        bad = http.post("/api/v1/samples", json={"pattern": "a_line_skirt", "size": "160/84A", "fabric": "silk_purple"})
        assert bad.status_code == 422 and "unknown fabric 'silk_purple'" in bad.json()["detail"]
        created = http.post("/api/v1/samples", json={"pattern": "a_line_skirt", "size": "160/84A",
                                                     "fabric": "linen_red", "quality": "draft", "client": "Lotus"})
        assert created.status_code == 202, created.text
        url = created.json()["links"]["self"]
        deadline = time.monotonic() + SAMPLE_TIMEOUT_S
        stages = []
        while True:
            body = http.get(url).json()  # the server keeps answering while the worker computes
            if body["stage"] and body["stage"] not in stages:
                stages.append(body["stage"])
            if body["status"] in ("done", "failed"):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"sample not finished after {SAMPLE_TIMEOUT_S} s: {body}\n{server.log_tail()}")
            time.sleep(0.5)
        if body["status"] == "failed":
            pytest.fail(f"the pipeline failed the sample: {body['error']} (stages {stages})\n{server.log_tail()}")
        assert body["progress"] == 1.0 and body["report"]["size"]["label"] == "160/84A"
        return body


def test_the_worker_compiles_no_kernel_during_a_real_drape(live, done_sample):
    """The worker warmed numba's kernels into the cache folder under GARMENT3D_CACHE_DIR before its first job."""
    import json

    server, _ = live
    lines = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.startswith("{")]
    ready = [e["message"] for e in lines if e["message"].startswith("numba kernels ready")]
    assert ready and "threading layer omp" in ready[0], ready
    from garment3d.settings import get_settings

    assert str(get_settings().cache_dir / "numba") in ready[0]
    jobs = [e["message"] for e in lines if " compiled " in e["message"] and e["message"].startswith("job ")]
    assert jobs and all(m.endswith("compiled 0 new kernels") for m in jobs), jobs


def test_every_artifact_downloads(live, done_sample):
    from PIL import Image

    server, keys = live
    with httpx.Client(base_url=server.base_url, timeout=60, headers=_auth(keys["sales"])) as http:
        files = http.get(done_sample["links"]["files"]).json()
        assert len(files["frames"]) == 12 and files["stills"]  # the draft preset
        frame = http.get(files["frames"][0])
        assert frame.headers["content-type"] == "image/png" and "frame-000.png" in frame.headers["content-disposition"]
        with Image.open(io.BytesIO(frame.content)) as image:
            assert image.size == (256, 256)
        magic = {"animation": (b"RIFF", b"GIF8"), "model": (b"glTF",), "pattern_svg": (b"<",),
                 "pattern_pdf": (b"%PDF",), "pattern_dxf": (b"0",), "manifest": (b"{",)}
        for kind, starts in magic.items():
            response = http.get(files[kind])
            assert response.status_code == 200, (kind, response.text[:200])
            assert response.content.lstrip()[:4].startswith(starts), kind
            assert "filename=" in response.headers["content-disposition"]
        for url in files["stills"]:
            assert http.get(url).content.startswith(b"\x89PNG")


def _browser(width: int, height: int, *, webgl: bool = True):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                     "--hide-scrollbars"):
        options.add_argument(argument)
    # the phone's browser speaks Chinese, the desktop's English: the page follows Accept-Language
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh" if width < 600 else "en-GB,en"})
    if width < 600:  # a phone: headless windows are at least 500 px wide, so emulate the device
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height,
                                                                              "pixelRatio": 2.0}})
    if not webgl:
        options.add_argument("--disable-3d-apis")
    else:
        options.add_argument("--enable-unsafe-swiftshader")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the page's console, for errors
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def _wait(driver, script: str, timeout_s: float = 30):
    deadline = time.monotonic() + timeout_s
    while not driver.execute_script(script):
        assert time.monotonic() < deadline, f"timed out waiting for: {script}"
        time.sleep(0.1)


def _red_share(png: bytes) -> float:
    """Share of the picture's pixels that are the linen's red (r well above g and b)."""
    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        rgb = np.asarray(image.convert("RGB")).astype(int)
    red = (rgb[..., 0] > rgb[..., 1] + 40) & (rgb[..., 0] > rgb[..., 2] + 40)
    return float(red.mean())


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="needs Debian's chromium and chromium-driver (.ci/run)")
def test_share_link_in_headless_chromium(live, done_sample, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    server, keys = live
    shots = Path(os.environ.get("GARMENT3D_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with httpx.Client(base_url=server.base_url, timeout=30, headers=_auth(keys["designer"])) as http:
        url = http.post(f"/api/v1/samples/{done_sample['id']}/shares", json={}).json()["url"]

    driver = _browser(390, 844)  # a phone
    try:
        driver.get(url)
        _wait(driver, "return document.getElementById('loading').hidden")  # every frame preloaded
        assert driver.execute_script("return document.documentElement.lang") == "zh-CN"  # the browser's language
        box = driver.find_element(By.ID, "turntable")
        img = driver.find_element(By.ID, "frame")
        assert img.get_attribute("data-frame") == "0"
        before = img.get_attribute("src")
        assert driver.execute_script("return window.innerWidth") == 390
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390  # fits the phone
        shot = img.screenshot_as_png
        assert _red_share(shot) > 0.03, "the turntable picture does not show the red linen garment"
        ActionChains(driver).move_to_element(box).click_and_hold().move_by_offset(-120, 0).release().perform()
        turned = img.get_attribute("data-frame")
        assert turned != "0" and img.get_attribute("src") != before, "dragging did not change the frame"
        box.send_keys(Keys.ARROW_RIGHT)
        assert int(box.get_attribute("aria-valuenow")) == (int(turned) + 1) % 12  # keyboard turns it too
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(shots / "viewer-phone.png"))
        if VENDORED_3D.is_file():
            _wait(driver, "return !!window.customElements.get('model-viewer')")
        driver.find_element(By.ID, "approve").click()
        _wait(driver, "return document.getElementById('feedback-status').className === 'ok'")
    finally:
        driver.quit()

    with httpx.Client(base_url=server.base_url, timeout=30, headers=_auth(keys["designer"])) as http:
        feedback = http.get(f"/api/v1/samples/{done_sample['id']}/feedback").json()
        assert [f["kind"] for f in feedback] == ["approve"]
        assert http.get(f"/api/v1/samples/{done_sample['id']}").json()["approval"] == "approved"

    desktop = _browser(1280, 900)
    try:
        desktop.get(url + "?lang=en")
        _wait(desktop, "return document.getElementById('loading').hidden")
        if VENDORED_3D.is_file():  # WebGL (SwiftShader) and the vendored viewer: the 3D tab is offered
            _wait(desktop, "return !document.getElementById('tab-3d').hidden")
            desktop.find_element(By.ID, "tab-3d").click()
            _wait(desktop, "var m = document.querySelector('model-viewer'); return !!(m && m.loaded)", 60)
        desktop.save_screenshot(str(shots / "viewer-desktop-3d.png"))
        errors = [entry["message"] for entry in desktop.get_log("browser") if entry["level"] == "SEVERE"]
        assert not errors, f"the share page logged errors: {errors}"
        desktop.find_element(By.ID, "tab-spin").click()
        desktop.save_screenshot(str(shots / "viewer-desktop.png"))
    finally:
        desktop.quit()

    plain = _browser(390, 844, webgl=False)  # no WebGL: the turntable still works, no 3D tab
    try:
        plain.get(url)
        _wait(plain, "return document.getElementById('loading').hidden")
        assert plain.find_element(By.ID, "nowebgl").is_displayed()
        assert not plain.find_element(By.ID, "tab-3d").is_displayed()
        box = plain.find_element(By.ID, "turntable")
        ActionChains(plain).move_to_element(box).click_and_hold().move_by_offset(100, 0).release().perform()
        assert plain.find_element(By.ID, "frame").get_attribute("data-frame") != "0"
    finally:
        plain.quit()


def test_quote_pdf(live, done_sample):
    from pypdf import PdfReader

    server, keys = live
    with httpx.Client(base_url=server.base_url, timeout=120, headers=_auth(keys["sales"])) as http:
        sizes = [{"size": "155/80A", "quantity": 20}, {"size": "160/84A", "quantity": 50}]
        answer = http.post(f"/api/v1/samples/{done_sample['id']}/quotes",
                           json={"sizes": sizes, "fabric_price_per_m": 42.5, "making_cost": 60, "language": "zh"})
        assert answer.status_code == 201, answer.text
        quote = answer.json()
        pdf = http.get(quote["pdf_url"])
    assert pdf.headers["content-type"] == "application/pdf" and quote["number"] in pdf.headers["content-disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    currency = load_fabric("linen_red").currency  # prices are in the fabric's currency (CNY when it names none)
    for words in ("报价单", quote["number"], "A字裙", "红色亚麻", "155/80A", "160/84A", currency, "Lotus"):
        assert words in text, (words, text)
    assert f"{quote['total']:,.2f}" in text
    assert quote["currency"] == currency and [line["quantity"] for line in quote["lines"]] == [20, 50]
    assert all(line["interfacing_m"] == 0.0 for line in quote["lines"])  # nothing of the A-line skirt is fused
    assert b"/FontFile2" in pdf.content  # the CJK font is embedded
