"""The planning page in a real browser: Debian's chromium, headless, driven by playwright.

A real ``nco serve`` runs on a free loopback port. The page loads the Monaco example, solves it
through POST /solve and must draw one route per route of the answer, with table totals equal
to the answer's; it plans on held-out Porto by clicking; and, with an OSRM server, it sends the
clicked places and shows how far OSRM moved them. The screenshots go to docs/ (the README
shows them).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from nco.osrm.server import free_port
from nco.paths import EXAMPLES_DIR

CHROMIUM = "/usr/bin/chromium"  # Debian's package, installed by `make setup`; never `playwright install`
# A closed network: no background traffic, no sandbox (root in CI), no GPU.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOCS = Path(__file__).resolve().parents[2] / "docs"


@contextmanager
def serving(*options: str) -> Iterator[str]:
    """``nco serve`` in its own process (as a user starts it) on a free 127.0.0.1 port."""
    port = free_port()
    log = tempfile.TemporaryFile("w+")  # not a pipe: uvicorn's request log must never fill and block it
    process = subprocess.Popen(
        [sys.executable, "-m", "nco.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port), *options],
        stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{url}/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"nco serve did not start:\n{log.read()[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.mark.slow
def test_solve_the_monaco_example_in_the_browser(server, browser, tmp_path):
    page, errors = _open(browser, server)
    assert page.locator("#roads path").count() >= 3  # the first city's road layer, by rank

    page.set_input_files("#upload", str(EXAMPLES_DIR / "monaco_50.json"))
    page.wait_for_function("document.querySelector('#status').textContent.includes('50 stops')")
    assert page.locator("#city").input_value() == "monaco"
    assert page.locator("circle.stop").count() == 50
    page.select_option("#method", "pyvrp")
    page.fill("#time-limit", "1")
    with page.expect_response(lambda r: r.url.endswith("/solve") and r.request.method == "POST") as answer:
        page.click("#solve")
    assert answer.value.ok, answer.value.text()
    result = answer.value.json()
    page.wait_for_selector("#routes tr.total")

    # As many route lines as the API returned, each through its stops; totals as the answer's.
    assert page.locator("polyline.route").count() == len(result["routes"]) == result["summary"]["routes"]
    assert page.locator("#routes tr.route-row").count() == len(result["routes"])
    total = page.locator("#routes tr.total")
    assert int(total.get_attribute("data-distance")) == result["summary"]["distance"]
    assert int(total.get_attribute("data-stops")) == 50
    assert f"{result['summary']['distance'] / 1000:.2f}" in total.inner_text()
    km = [float(row.locator("td").nth(3).inner_text()) for row in page.locator("#routes tr.route-row").all()]
    assert sum(km) == pytest.approx(result["summary"]["distance"] / 1000, abs=0.01 * len(km))
    assert page.locator("#curve path.curve").count() == 1

    with page.expect_download() as download:
        page.click("#download-json")
    assert json.loads(Path(download.value.path()).read_text())["summary"] == result["summary"]
    with page.expect_download() as download:
        page.click("#download-png")
    png = Path(download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000

    _screenshot(page, "web_page_monaco.png")
    assert not errors


@pytest.mark.slow
def test_plan_on_a_held_out_city_by_clicking(server, browser):
    page, errors = _open(browser, server)
    page.select_option("#city", "porto")
    page.wait_for_function("document.querySelector('#status').textContent.startsWith('porto')")
    assert page.locator("#pool circle").count() == 1000
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)  # one stop by hand
    assert page.locator("circle.stop").count() == 1
    page.click("#random")
    page.click("#random")
    assert page.locator("circle.stop").count() == 41
    page.fill("#vehicles", "12")
    page.select_option("#method", "pyvrp")
    page.fill("#time-limit", "1")
    with page.expect_response(lambda r: r.url.endswith("/solve") and r.request.method == "POST") as answer:
        page.click("#solve")
    assert answer.value.ok, answer.value.text()
    page.wait_for_selector("#routes tr.total")
    assert page.locator("polyline.route").count() == len(answer.value.json()["routes"])
    assert "held-out city" in page.locator("#map-title").inner_text()
    _screenshot(page, "web_page_porto.png")
    assert not errors


@pytest.mark.osrm
@pytest.mark.slow
def test_with_osrm_stops_go_where_clicked_and_show_how_far_they_were_snapped(monaco_server, browser):
    with serving("--osrm-url", monaco_server) as url:
        page, errors = _open(browser, url)
        page.select_option("#city", "monaco")
        page.wait_for_function("document.querySelector('#status').textContent.startsWith('monaco')")
        for k in (10, 200, 400, 600, 800, 990):  # a few pixels (tens of metres) beside road points
            near = page.locator("#pool circle").nth(k).bounding_box()
            page.mouse.click(near["x"] + 8, near["y"] + 8)
        page.select_option("#method", "pyvrp")
        with page.expect_response(lambda r: r.url.endswith("/solve") and r.request.method == "POST") as answer:
            page.click("#solve")
        assert answer.value.ok, answer.value.text()
        body = answer.value.request.post_data_json
        assert "matrices" not in body and len(body["jobs"]) == 6  # OSRM's matrices, on the clicked places
        result = answer.value.json()
        page.wait_for_selector("#routes tr.total")
        assert page.locator("polyline.route").count() == len(result["routes"])
        snapping = result["nco"]["matrix"]["snapping"]
        moved = sum(job["location"] != spot["location"] for job, spot in zip(snapping["jobs"], body["jobs"]))
        assert moved > 0 and page.locator("line.connector").count() >= moved
        assert not errors


def _open(browser, server: str):
    page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server)
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    return page, errors


def _screenshot(page, name: str) -> None:
    page.evaluate("document.getElementById('panel').scrollTop = 0")
    page.screenshot(path=str(DOCS / name))
