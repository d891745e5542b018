"""The site built once per session, served over HTTP on 127.0.0.1, and a real browser.

The build runs the tutorials' short runs (as tests/tutorials does) from the session's
notebook cache, so the tutorials are executed once for both folders. The browser is
Debian's Chromium driven by its chromedriver through Selenium; without them, the browser
tests fail and say what to install (``apt-get install chromium chromium-driver``;
``.ci/run`` does), or how to leave them out (``--ignore=tests/site``).
"""

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from handbp_site.build import BUILD, Site, build

SCREENSHOTS = BUILD / "screenshots"
"""Where the browser tests leave screenshots for a person to look at."""

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="session")
def site(tmp_path_factory, notebook_cache, jax_cache) -> Site:
    """The whole site, tutorials in their short runs, built into a folder of this session."""
    return build(
        tmp_path_factory.mktemp("site"), quick=True, cache=notebook_cache, jax_cache=jax_cache
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        """No access log on stderr."""


@pytest.fixture(scope="session")
def server(site) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 (a free port), in a thread: its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site.html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium through chromedriver, logging the console and the network."""
    if CHROMIUM is None or CHROMEDRIVER is None:  # a failure, not a pass: .ci/run installs them
        pytest.fail(
            "no browser: the browser tests need Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver; .ci/run installs them), or leave "
            "them out with --ignore=tests/site"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The screenshot folder, emptied for this session."""
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS
