"""The built site in a real browser: every page loads cleanly, its maths is typeset by the
MathJax shipped with the site, its images load, its links resolve, and the next links lead
through the whole series in order.

Each page is loaded once (the ``visits`` fixture) and what the browser saw is recorded;
the tests below judge the records. Screenshots of a few pages go to ``docs/_build/screenshots``.
"""

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from handbp_site.execute import chapter_paths, series_paths

WAIT_FOR_MATHJAX = """
const done = arguments[arguments.length - 1];
const started = Date.now();
(function poll() {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(() => done("typeset"), (error) => done("error: " + error));
  } else if (Date.now() - started > 20000) {
    done("MathJax never started");
  } else {
    setTimeout(poll, 50);
  }
})();
"""

PAGE_FACTS = """
const prose = document.querySelector("main, article, body").cloneNode(true);
prose.querySelectorAll("pre, code, script, style, mjx-container").forEach((e) => e.remove());
return {
  title: document.title,
  h1: (document.querySelector("h1") || {innerText: ""}).innerText,
  prose: prose.innerText,
  math: document.querySelectorAll("mjx-container").length,
  mathErrors: document.querySelectorAll("mjx-merror, [data-mjx-error]").length,
  images: Array.from(document.images).map((i) => [i.currentSrc || i.src, i.complete, i.naturalWidth]),
  links: Array.from(document.querySelectorAll("a[href]")).map((a) => a.href),
  next: (document.querySelector("a.right-next") || {href: null}).href,
};
"""

SCREENSHOT_PAGES = {
    "index.html": "home",
    "tutorials/part12.html": "part12",
    "teaching/net.html": "net",
    "teaching/mistakes.html": "mistakes",
    "tutorials/chapter05_checking_your_own_layer.html": "chapter05",
}


@dataclass
class Visit:
    """What the browser saw on one page."""

    page: str
    facts: dict
    mathjax: str | None
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)


def pages(html: Path) -> list[str]:
    """Every HTML page of the site, relative to its root (Sphinx's own folders left out)."""
    return sorted(
        path.relative_to(html).as_posix()
        for path in html.rglob("*.html")
        if not any(part.startswith("_") for part in path.relative_to(html).parts)
    )


def network_failures(entries: list[dict]) -> list[str]:
    """Requests that failed or got an HTTP error, from Chromium's performance log."""
    urls, failures = {}, []
    for entry in entries:
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
        elif message["method"] == "Network.loadingFailed":
            url = urls.get(params["requestId"], "?")
            failures.append(f"{url}: {params.get('errorText')}")
        elif message["method"] == "Network.responseReceived":
            response = params["response"]
            if response["status"] >= 400:
                failures.append(f"{response['url']}: HTTP {response['status']}")
    return failures


@pytest.fixture(scope="session")
def visits(site, server, browser, screenshots) -> dict[str, Visit]:
    """Load every page once; record its console errors, failed requests and contents."""
    browser.set_script_timeout(30)
    seen = {}
    for page in pages(site.html):
        browser.get_log("browser"), browser.get_log("performance")  # drop earlier entries
        browser.get(server + page)
        has_math = 'src="' in browser.page_source and "mathjax/tex-chtml.js" in browser.page_source
        mathjax = browser.execute_async_script(WAIT_FOR_MATHJAX) if has_math else None
        facts = browser.execute_script(PAGE_FACTS)
        visit = Visit(page, facts, mathjax)
        visit.console_errors = [
            entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
        ]
        visit.failed_requests = network_failures(browser.get_log("performance"))
        if page in SCREENSHOT_PAGES:
            browser.save_screenshot(str(screenshots / f"{SCREENSHOT_PAGES[page]}.png"))
        seen[page] = visit
    return seen


def test_the_site_has_the_pages_a_reader_needs(site, visits):
    expected = {
        "index.html",
        "search.html",
        "genindex.html",
        *(f"tutorials/{path.stem}.html" for path in series_paths() + chapter_paths()),
        "teaching/net.html",
        "teaching/equations.html",
        "teaching/derivation.html",
        "teaching/mistakes.html",
        "api/handbp.html",
        "api/verify.html",
    }
    assert expected <= set(visits), sorted(expected - set(visits))
    assert site.warnings == [], "\n".join(site.warnings)


def test_every_page_loads_without_a_failed_request_or_a_console_error(visits):
    for page, visit in visits.items():
        assert visit.failed_requests == [], f"{page}: {visit.failed_requests}"
        assert visit.console_errors == [], f"{page}: {visit.console_errors}"


def test_maths_is_typeset_offline_and_no_raw_tex_is_left(visits):
    typeset = [page for page, visit in visits.items() if visit.mathjax is not None]
    for page in typeset:
        visit = visits[page]
        assert visit.mathjax == "typeset", f"{page}: {visit.mathjax}"
        assert visit.facts["math"] > 0, page
        assert visit.facts["mathErrors"] == 0, page
    for page, visit in visits.items():
        for raw in ("$$", "\\(", "\\[", "\\frac", "_{in}"):
            assert raw not in visit.facts["prose"], f"{page} shows raw TeX {raw!r}"
    tutorials = [f"tutorials/{path.stem}.html" for path in series_paths()]
    teaching = [f"teaching/{name}.html" for name in ("net", "equations", "derivation")]
    assert set(tutorials + teaching) <= set(typeset)


def test_every_image_loads(visits):
    counted = 0
    for page, visit in visits.items():
        for src, complete, width in visit.facts["images"]:
            assert complete and width > 0, f"{page}: image {src[:80]} did not load"
            counted += 1
    assert visits["teaching/net.html"].facts["images"], "the drawing of the net is missing"
    assert counted >= 10  # the tutorials' figures and the net


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name in ("id", "name") and value)


def test_every_internal_link_resolves(site, server, visits):
    ids: dict[Path, set[str]] = {}
    checked = 0
    for page, visit in visits.items():
        for link in visit.facts["links"]:
            if not link.startswith(server):
                assert urlsplit(link).scheme in ("http", "https", "mailto"), f"{page}: {link}"
                continue
            url, fragment = urldefrag(link)
            path = urlsplit(url).path[1:] or "index.html"
            target = site.html / unquote(path)
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page} links to a missing {path}"
            if fragment and target.suffix == ".html":
                if target not in ids:
                    parser = _Ids()
                    parser.feed(target.read_text(encoding="utf-8"))
                    ids[target] = parser.ids
                assert unquote(fragment) in ids[target], f"{page}: no #{fragment} in {path}"
            checked += 1
    assert checked > 500


def test_pages_have_their_own_titles(visits):
    for page, visit in visits.items():
        title = visit.facts["title"]
        assert "Notebook" not in title and title.strip(), f"{page}: title {title!r}"
    for path in series_paths():
        visit = visits[f"tutorials/{path.stem}.html"]
        assert visit.facts["title"].startswith(visit.facts["h1"].strip("#¶ \n"))
        assert re.match(r"Parts? \d+", visit.facts["title"]), visit.facts["title"]
    for path in chapter_paths():
        title = visits[f"tutorials/{path.stem}.html"].facts["title"]
        assert title.startswith(f"Chapter {int(path.stem[7:9])} - "), title


def test_the_next_links_lead_from_home_through_every_part_in_order(server, visits):
    order, page = [], "index.html"
    while page in visits and len(order) < 100:
        order.append(page)
        following = visits[page].facts["next"]
        if not following:
            break
        page = following.removeprefix(server)
    parts = [page for page in order if page.startswith("tutorials/part")]
    assert parts == [f"tutorials/{path.stem}.html" for path in series_paths()]
    assert order[1] == parts[0], "the page after the home page is part 2"
    chapters = [page for page in order if page.startswith("tutorials/chapter")]
    assert chapters == [f"tutorials/{path.stem}.html" for path in chapter_paths()]
    assert order.index(chapters[0]) > order.index(parts[-1]), "the chapters come after part 14"


def test_search_finds_an_equation(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server + "search.html?q=hidden_layer_delta")
    WebDriverWait(browser, 20).until(
        lambda driver: "found" in driver.find_element(By.CSS_SELECTOR, "p.search-summary").text
    )
    found = [
        a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "ul.search li a")
    ]
    assert any("tutorials/part12.html" in href for href in found), found


@pytest.mark.parametrize(
    ("page", "diagnosis"),
    [
        ("part12", "H_out (1 - H_out) is missing"),
        ("chapter01_biases_and_depth", "db is not summed over the batch"),
        ("chapter02_activations_and_losses", "the sigmoid's derivative is kept"),
    ],
)
def test_the_exercise_diagnosis_is_folded_until_the_reader_opens_it(
    server, browser, page, diagnosis
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server + f"tutorials/{page}.html")
    assert diagnosis in browser.page_source
    outputs = [
        element
        for element in browser.find_elements(By.CSS_SELECTOR, "div.cell_output")
        if diagnosis in (element.get_attribute("textContent") or "")
    ]
    assert outputs and not any(element.is_displayed() for element in outputs)
    folds = [
        fold
        for fold in browser.find_elements(By.CSS_SELECTOR, "details.hide")
        if diagnosis in (fold.get_attribute("textContent") or "")
    ]
    assert len(folds) == 1
    summary = folds[0].find_element(By.TAG_NAME, "summary")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", summary)
    summary.click()
    WebDriverWait(browser, 10).until(lambda _: any(element.is_displayed() for element in outputs))


def test_screenshots_are_written_for_a_person_to_look_at(visits, screenshots):
    for name in SCREENSHOT_PAGES.values():
        png = screenshots / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
