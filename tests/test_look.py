"""The default theme in a real headless Chromium at 1280 px, 390 px and in dark mode: code
never clipped at 1280 px, nothing wider than a phone, notes, asides, display math, reading
time and footnote markers styled."""

from __future__ import annotations

import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from test_serve import Served

pytestmark = pytest.mark.browser

LONG_LINE = "println(" + " + ".join(f"x{i}" for i in range(1, 14)) + ")  # a line of 103 characters"
SITE = {
    "config.md": '@def website_title = "Look"\n',
    "index.md": "@def layout = \"index\"\n\n# Look\n\nThe posts.\n",
    "posts/one.md": ("---\ntitle: One\ndate: 2024-05-01\ntags: [a]\nlayout: post\n---\n\n"
                     f"Text with a footnote.[^n]\n\n```julia\n{LONG_LINE}\n```\n\n"
                     "@@note\nA note.\n@@\n\n@@aside\nAn aside.\n@@\n\n$$ \\int_0^1 x^2\\,dx = \\frac{1}{3} $$\n\n"
                     "[^n]: The footnote.\n"),
}


@pytest.fixture(scope="module")
def chromium():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(flag)
    with tempfile.TemporaryDirectory() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
        try:
            yield driver
        finally:
            driver.quit()


def look(driver, url: str, width: int, dark: bool) -> dict:
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
        {"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})
    driver.set_window_size(width, 1000)
    driver.get(url)
    return driver.execute_script("""
        const style = (selector, property) => {
            const element = document.querySelector(selector);
            return element ? getComputedStyle(element)[property] : null;
        };
        return {
            clipped: [...document.querySelectorAll('pre')].filter(p => p.scrollWidth > p.clientWidth + 1).length,
            page_width: document.documentElement.scrollWidth,
            body: style('body', 'backgroundColor'),
            note: style('.note', 'backgroundColor'),
            note_border: style('.note', 'borderLeftStyle'),
            aside: style('.aside', 'color'),
            text: style('body', 'color'),
            math_font: style('math[display="block"]', 'fontFamily'),
            marker: style('.footnote-ref a', 'backgroundColor'),
        };""")


@pytest.mark.parametrize("width,dark", [(1280, False), (390, False), (1280, True)])
def test_the_default_theme_at_each_width(make_site, chromium, width, dark):
    server = Served(make_site(SITE))
    try:
        post = look(chromium, server.url + "/posts/one/", width, dark)
        assert post["page_width"] <= width
        if width >= 1280:
            assert post["clipped"] == 0
        assert post["note"] not in (post["body"], "rgba(0, 0, 0, 0)") and post["note_border"] == "solid"
        assert post["aside"] != post["text"]  # quieter than the text
        assert "Math" in post["math_font"]
        assert post["marker"] != "rgba(0, 0, 0, 0)"
        dark_background = sum(int(part) for part in post["body"][4:-1].split(",")) < 200
        assert dark_background == dark
        chromium.get(server.url + "/")
        reading = chromium.execute_script(
            "const e = document.querySelector('.post-list .reading-time');"
            "return [getComputedStyle(e).color, getComputedStyle(document.querySelector('.post-list time')).color]")
        assert reading[0] == reading[1]  # muted like the date beside it
    finally:
        server.stop()
