"""The review report: escaped, self-contained, and rendered by a real headless browser."""

import os
import shutil
from pathlib import Path

import pytest

from pipeline import api
from pipeline.export.report import highlight

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def test_highlight_escapes_everything():
    text = "<script>alert(1)</script> Astana"
    out = highlight(text, [(26, 32, "PLACE", "place:astana")])
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert '<mark class="ent PLACE" title="place:astana">Astana' in out


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, sample_run):
    raw, _, _ = sample_run
    base = tmp_path_factory.mktemp("report")
    shutil.copytree(raw, base / "raw")
    (base / "raw" / "xss.txt").write_text('<script>alert(1)</script> The KNB met <img src=x onerror="alert(2)"> '
                                          'officials in Almaty.\n', encoding="utf-8")
    api.extract(base / "raw", base / "out", workers=1)
    return base / "out"


def test_extract_writes_a_self_contained_report_and_png(report_dir):
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    assert (report_dir / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "http://" not in page.split("<script>")[0] and 'src="http' not in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'onerror="alert(2)"' not in page


def _browser():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and chromium-driver (see .ci/run)")
        pytest.skip("headless Chromium not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


def test_the_report_renders_in_headless_chromium(report_dir):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser = _browser()
    try:
        browser.get((report_dir / "report.html").as_uri())
        WebDriverWait(browser, 30).until(lambda b: b.execute_script(
            "return window.kzxNetwork && window.kzxNetwork.body.data.nodes.length > 0"))
        assert browser.execute_script("return !!document.querySelector('#network canvas')")
        names = {td.text for td in browser.find_elements(By.CSS_SELECTOR, "#entities tbody td:nth-child(2)")}
        assert {"Kazakhstan", "Nursultan Nazarbayev", "Hizb ut-Tahrir", "Committee for National Security of Kazakhstan"} <= names
        assert browser.execute_script("return document.querySelectorAll('mark.ent').length") > 300
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "report.png"))
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
    finally:
        browser.quit()


def test_injected_script_does_not_run(report_dir):
    browser = _browser()
    try:
        from selenium.common.exceptions import NoAlertPresentException

        browser.get((report_dir / "report.html").as_uri())
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # an injected alert() would be open now
        assert browser.execute_script("return document.body.innerHTML.includes('&lt;script&gt;alert(1)')")
        text = browser.execute_script("return document.body.innerText")
        assert "<script>alert(1)</script>" in text
    finally:
        browser.quit()
