"""The review report: escaped, self-contained, and rendered by a real headless browser; its network view
opens on labelled typed relations, filters, searches and layers co-occurrence by weight (screenshots in
tests/artifacts)."""

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


def _open(browser, path: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(path.as_uri())
    WebDriverWait(browser, 60).until(lambda b: b.execute_script("return window.kzxReady === true"))


def _after(browser, action: str, *args):
    """Runs a page action that changes the view and waits until the network has settled again."""
    from selenium.webdriver.support.ui import WebDriverWait

    before = browser.execute_script("return window.kzxSettled || 0")
    browser.execute_script(action, *args)
    WebDriverWait(browser, 60).until(lambda b: b.execute_script("return (window.kzxSettled || 0) > arguments[0]",
                                                                before))


def _shown(browser) -> tuple[list[dict], list[dict]]:
    """The shown entities and edges, as the page's data records."""
    return browser.execute_script("""
        const data = JSON.parse(document.getElementById('graph-data').textContent);
        const nodes = new Set(window.kzxView.nodes), edges = new Set(window.kzxView.edges);
        return [data.nodes.filter(n => nodes.has(n.id)), data.edges.filter(e => edges.has(e.id))];""")


def _ink(browser) -> int:
    """Pixels the network's canvas has drawn on (it is transparent where nothing is)."""
    return browser.execute_script("""
        const c = document.querySelector('#network canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;""")


def _screenshot(browser, name: str) -> None:
    browser.execute_script("document.getElementById('network-view').scrollIntoView()")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / name))


def check_opening_view(browser, max_shown: int = 60) -> tuple[list[dict], list[dict]]:
    nodes, edges = _shown(browser)
    assert 2 <= len(nodes) <= max_shown and edges
    assert all(e["kind"] != "CO_OCCURS" for e in edges)  # typed relations only, until asked
    shown = {n["id"] for n in nodes}
    assert all(e["from"] in shown and e["to"] in shown for e in edges)
    labels = browser.execute_script("return window.kzxView.nodes.map(id => kzxNetwork.body.nodes[id].options.label)")
    assert sorted(labels) == sorted(n["label"] for n in nodes) and all(labels)
    legend = {el.text.strip() for el in browser.find_elements("css selector", "#network-controls .legend-type")}
    assert {n["type"].lower() for n in nodes} <= legend
    kinds = {el.text.strip() for el in browser.find_elements("css selector", "#network-controls .legend-kind")}
    assert {e["kind"] for e in edges} <= kinds
    assert _ink(browser) > 2000
    return nodes, edges


def test_the_network_view_opens_on_labelled_typed_relations_with_a_legend(report_dir):
    browser = _browser()
    try:
        _open(browser, report_dir / "report.html")
        nodes, _ = check_opening_view(browser)
        assert "Nursultan Nazarbayev" in {n["label"] for n in nodes}
        _screenshot(browser, "report-network.png")
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        browser.quit()


def test_the_network_filters_and_layers_co_occurrence_by_weight(report_dir):
    browser = _browser()
    try:
        _open(browser, report_dir / "report.html")
        click = "arguments[0].click()"
        person = browser.find_element("css selector", ".f-type[value='PERSON']")
        _after(browser, click, person)
        nodes, _ = _shown(browser)
        assert nodes and "PERSON" not in {n["type"] for n in nodes}
        _after(browser, click, person)
        _, edges = _shown(browser)
        kind = sorted({e["kind"] for e in edges})[0]
        _after(browser, click, browser.find_element("css selector", f".f-kind[value='{kind}']"))
        assert kind not in {e["kind"] for e in _shown(browser)[1]}
        slide = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))"
        _after(browser, slide, browser.find_element("id", "f-confidence"), "0.9")
        assert all(e["confidence"] >= 0.9 for e in _shown(browser)[1])
        _after(browser, slide, browser.find_element("id", "f-confidence"), "0")
        co = browser.find_element("id", "f-co")
        _after(browser, slide, co, "1")
        light = [e for e in _shown(browser)[1] if e["kind"] == "CO_OCCURS"]
        _screenshot(browser, "report-network-cooccurrence.png")
        _after(browser, slide, co, "3")
        heavy = [e for e in _shown(browser)[1] if e["kind"] == "CO_OCCURS"]
        assert light and all(e["weight"] >= 3 for e in heavy) and len(heavy) < len(light)
        assert browser.find_element("id", "f-co-value").text == "3"
    finally:
        browser.quit()


def test_the_search_shows_and_centres_an_entity_the_view_left_out(report_dir):
    browser = _browser()
    try:
        _open(browser, report_dir / "report.html")
        hidden = browser.execute_script("""
            const data = JSON.parse(document.getElementById('graph-data').textContent);
            const shown = new Set(window.kzxView.nodes);
            return data.nodes.find(n => !shown.has(n.id) && n.type !== 'DATE');""")
        box = browser.find_element("id", "f-search")
        _after(browser, "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'))", box,
               hidden["label"].lower())
        assert browser.execute_script("return window.kzxFound") == hidden["id"]
        assert browser.execute_script("return kzxNetwork.getSelectedNodes()") == [hidden["id"]]
        centre = browser.execute_script("return kzxNetwork.getViewPosition()")
        where = browser.execute_script("return kzxNetwork.getPositions([arguments[0]])[arguments[0]]", hidden["id"])
        assert abs(centre["x"] - where["x"]) < 1 and abs(centre["y"] - where["y"]) < 1
        assert hidden["id"] in browser.execute_script("return window.kzxView.nodes")
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def cables_report(tmp_path_factory):
    from .synthetic_cables import write_cables

    base = tmp_path_factory.mktemp("cables")
    raw = write_cables(base / "raw", count=120)
    summary = api.extract(raw, base / "out", workers=1, formats=("report",))
    assert len(summary.parsed) == 120 and summary.typed_edges > 100
    return base / "out"


def test_a_report_of_120_cables_opens_readable_and_layers_co_occurrence(cables_report):
    browser = _browser()
    try:
        _open(browser, cables_report / "report.html")
        nodes, edges = check_opening_view(browser)
        assert len(nodes) >= 30 and len(edges) > 100
        _screenshot(browser, "report-network-120-cables.png")
        slide = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))"
        co = browser.find_element("id", "f-co")
        _after(browser, slide, co, "1")
        light = sum(e["kind"] == "CO_OCCURS" for e in _shown(browser)[1])
        _after(browser, slide, co, co.get_attribute("max"))
        heavy = sum(e["kind"] == "CO_OCCURS" for e in _shown(browser)[1])
        assert 0 < heavy < light
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        browser.quit()
