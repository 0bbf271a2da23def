"""`pysite serve` in a real headless Chromium: a save shows in the open page by itself."""

from __future__ import annotations

import tempfile

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from test_serve import SITE, Served, served  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CELL_PAGE = "---\ntitle: Cell\nlayout: page\n---\n# Cell\n\n```julia:ex\nprintln(\"answer: \", {})\n```\n\n\\output{{ex}}\n"


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"):
        options.add_argument(flag)
    with tempfile.TemporaryDirectory() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        try:
            yield driver
        finally:
            driver.quit()


def wait_for_text(driver, text: str, timeout: float = 20) -> None:
    """Wait for the text, through reloads (an element of the old document goes stale)."""
    WebDriverWait(driver, timeout, poll_frequency=0.02, ignored_exceptions=(WebDriverException,)).until(
        lambda d: text in d.execute_script("return document.body ? document.body.innerText : ''"))


def open_page(driver, url: str) -> None:
    """Open a page and mark this load: a reload forgets the mark, a stylesheet swap keeps it."""
    driver.get(url)
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
    driver.execute_script("window.pysiteMark = 1")


def reloaded(driver) -> bool:
    return driver.execute_script("return window.pysiteMark") is None


def test_a_save_updates_the_page_in_place_and_a_stylesheet_swaps(served, browser):  # noqa: F811
    server = served()
    open_page(browser, server.url + "/pages/a/")
    wait_for_text(browser, "alpha text")
    long_page = "---\ntitle: Alpha {}\nlayout: page\n---\n# Alpha\n\nalpha text\n\n{}\n" + "\n\nfiller\n" * 200

    server.save("pages/a.md", long_page.format(2, "new words"), settle=False)
    wait_for_text(browser, "new words")
    assert not reloaded(browser)  # the new body replaced the old one: no reload, no flash
    assert browser.title.startswith("Alpha 2")
    browser.execute_script("window.scrollTo(0, 400)")
    server.save("pages/a.md", long_page.format(3, "newer words"), settle=False)
    wait_for_text(browser, "newer words")
    assert browser.execute_script("return window.scrollY") == 400  # the reader's place is kept

    browser.execute_script("window.pysiteMark = 1")
    server.save("_css/extra.css", "body { color: rgb(200, 0, 0); }\n", settle=False)
    WebDriverWait(browser, 20, poll_frequency=0.02).until(
        lambda d: d.execute_script("return getComputedStyle(document.body).color") == "rgb(200, 0, 0)")
    assert not reloaded(browser)

    server.save("pages/b.md", "---\ntitle: Beta\nlayout: page\n---\n# Beta\n\nbeta text\n\nmore\n")
    assert not reloaded(browser)  # another page's save leaves this one alone


def test_error_page_after_a_broken_save_and_back_after_a_good_one(served, browser):  # noqa: F811
    server = served()
    open_page(browser, server.url + "/pages/a/")
    server.save("pages/a.md", "---\ntitle: [Alpha\nlayout: page\n---\n# Alpha\n\nbroken\n", settle=False)
    wait_for_text(browser, "This page did not build")
    assert "pages/a.md:" in browser.find_element(By.TAG_NAME, "body").text

    server.save("pages/a.md", "---\ntitle: Alpha\nlayout: page\n---\n# Alpha\n\nworking again\n", settle=False)
    wait_for_text(browser, "working again")


@pytest.mark.julia
def test_a_julia_cell_output_updates_in_the_browser(served, browser, julia_install):  # noqa: F811
    server = served({**SITE, "pages/c.md": CELL_PAGE.format("6 * 7")})
    open_page(browser, server.url + "/pages/c/")
    wait_for_text(browser, "answer: 42")
    server.save("pages/c.md", CELL_PAGE.format("6 * 9"), settle=False)
    wait_for_text(browser, "answer: 54")


@pytest.mark.julia
def test_a_figure_a_cell_redraws_shows_in_the_open_page(served, browser, julia_install):  # noqa: F811
    def page(width: int) -> str:
        svg = f'<svg xmlns=\\"http://www.w3.org/2000/svg\\" width=\\"{width}\\" height=\\"10\\"></svg>'
        return (f'---\ntitle: Plot\nlayout: page\n---\n# Plot\n\n```julia:plot\n'
                f'write(joinpath(@OUTPUT, "plot.svg"), "{svg}"); println("width {width}")\n```\n\n'
                '\\output{plot}\n\n\\fig{plot.svg}\n')

    def width_shown(d) -> int:
        return d.execute_script("const i = document.querySelector('img'); return i && i.complete ? i.naturalWidth : 0")

    server = served({**SITE, "pages/c.md": page(30)})
    open_page(browser, server.url + "/pages/c/")
    WebDriverWait(browser, 20, poll_frequency=0.02).until(lambda d: width_shown(d) == 30)
    server.save("pages/c.md", page(70), settle=False)
    wait_for_text(browser, "width 70")
    # The same address, a new file: the page must not keep the image it already had.
    WebDriverWait(browser, 20, poll_frequency=0.02).until(lambda d: width_shown(d) == 70)
    assert not reloaded(browser)

    def logo_width(d) -> int:
        return d.execute_script("const i = document.querySelector('img[alt=logo]'); return i ? i.naturalWidth : 0")

    server.save("pages/c.md", page(70).replace("# Plot", "# Plot\n\n![logo](/assets/logo.svg)"), settle=False)
    WebDriverWait(browser, 20, poll_frequency=0.02).until(lambda d: logo_width(d) == 4)
    server.save("_assets/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"></svg>\n', settle=False)
    WebDriverWait(browser, 20, poll_frequency=0.02).until(lambda d: logo_width(d) == 9)  # an image, changed alone
    assert not reloaded(browser)
