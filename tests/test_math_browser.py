"""Math as a reader sees it: tests/sites/math built with the real CLI, served over HTTP and
drawn by a real headless Chromium. Screenshots go to the pytest temporary folder."""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from test_serve_browser import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
SITE = Path(__file__).parent / "sites" / "math"


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):  # noqa: F811
    out = tmp_path_factory.mktemp("math") / "out"
    subprocess.run([sys.executable, "-m", "pysite", "build", str(SITE), "-o", str(out)], check=True,
                   capture_output=True)
    asked = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            asked.append(self.path)

    handler = functools.partial(Handler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser.set_window_size(1000, 900)
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/")
        browser.save_screenshot(str(out.parent / "page.png"))
        yield browser, out.parent, asked
    finally:
        server.shutdown()
        server.server_close()


def letter_png(driver, index: int) -> bytes:
    return driver.find_elements(By.CSS_SELECTOR, "p math mi")[index].screenshot_as_png


def test_double_struck_bold_and_script_letters_are_not_plain_italic(page):
    driver, folder, _ = page
    letters = driver.execute_script("return [...document.querySelectorAll('p math mi')].slice(0, 6).map(e => e.textContent)")
    assert letters == ["ℝ", "𝐈", "ℒ", "R", "I", "L"]
    for styled, plain in ((0, 3), (1, 4), (2, 5)):
        drawn, italic = letter_png(driver, styled), letter_png(driver, plain)
        (folder / f"letter-{styled}.png").write_bytes(drawn)
        (folder / f"letter-{plain}.png").write_bytes(italic)
        assert drawn != italic  # a different glyph, not the plain italic letter
    # The glyph comes from a math font, not a text font's fallback.
    family = driver.execute_script("return getComputedStyle(document.querySelector('math')).fontFamily")
    assert "Math" in family


def test_the_math_font_published_with_the_site_is_the_one_drawn(page):
    driver, _, asked = page
    status = driver.execute_async_script("""
        const done = arguments[0];
        document.fonts.ready.then(() => done([...document.fonts].filter(
            f => f.family.replace(/"/g, '') === 'DejaVu Math TeX Gyre').map(f => f.status)));
    """)
    assert status == ["loaded"]
    assert "/css/pysite-math.woff2" in asked, "the reader's browser fetched the site's own font"


def test_delimiters_stretch_around_a_fraction(page):
    driver, _, _ = page
    heights = driver.execute_script("""
        const display = document.querySelector('.katex-display mo[fence="true"]');
        const range = document.createRange();
        const text = [...document.querySelectorAll('p')].pop();
        const node = text.lastChild;
        range.setStart(node, node.textContent.indexOf('('));
        range.setEnd(node, node.textContent.indexOf('(') + 1);
        return [display.getBoundingClientRect().height, range.getBoundingClientRect().height];
    """)
    assert heights[0] > 1.5 * heights[1]


def test_display_equations_are_numbered_at_the_right_and_eqref_matches(page):
    driver, _, _ = page
    displays = driver.find_elements(By.CSS_SELECTOR, ".katex-display")
    assert len(displays) == 3
    after = [driver.execute_script("const s = getComputedStyle(arguments[0], '::after'); return [s.content, s.cssFloat]", d)
             for d in displays]
    assert after[0] == ['"(" counter(eqnum) ")"', "right"]
    assert after[1][0] in ("none", '""')  # \nonumber{...}: no number
    assert after[2][1] == "right"
    refs = [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".eqref a")]
    assert refs == ["1", "2"]
    # The number's box: right of the centred equation, at the column's right edge.
    first, column = displays[0].rect, driver.find_element(By.CSS_SELECTOR, ".katex-display .katex").rect
    assert column["x"] + column["width"] < first["x"] + first["width"]
