"""handbp_site.build: one command stages the sources and builds the whole site, offline."""

import re

import pytest

from handbp_site import build as building
from handbp_site.build import api_page, long_values, main, modules
from handbp_site.execute import chapter_paths, series_paths

PAGES = [
    "index.html",
    "search.html",
    "genindex.html",
    "SERIES.html",
    "verify.html",
    "teaching/net.html",
    "teaching/equations.html",
    "teaching/derivation.html",
    "teaching/mistakes.html",
    "api/handbp.html",
    "api/verify.html",
    *(f"tutorials/{path.stem}.html" for path in series_paths()),
]


def test_the_build_makes_every_page_without_a_warning(site):
    assert site.warnings == [], "\n".join(site.warnings)
    for page in PAGES:
        assert (site.html / page).is_file(), page


def test_nothing_is_loaded_from_another_host(site):
    """MathJax, fonts, scripts and styles are all files of the site."""
    assert (site.html / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (site.html / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()
    for page in PAGES:
        html = (site.html / page).read_text(encoding="utf-8")
        for url in re.findall(r'<(?:script|link|img)\b[^>]*?(?:src|href)="([^"]+)"', html):
            assert not re.match(r"(https?:)?//", url), f"{page} loads {url}"


def test_the_home_page_lists_the_parts_in_reading_order(site):
    home = (site.html / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(tutorials/part\d\d\.html)"', home)
    ordered = list(dict.fromkeys(links))
    assert ordered == [f"tutorials/{path.stem}.html" for path in series_paths()]
    chapters = list(dict.fromkeys(re.findall(r'href="(tutorials/chapter\d\d_\w+\.html)"', home)))
    assert chapters == [f"tutorials/{path.stem}.html" for path in chapter_paths()]


def test_tutorial_pages_have_their_titles_and_executed_outputs(site):
    for path in series_paths():
        html = (site.html / "tutorials" / f"{path.stem}.html").read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", html, flags=re.S).group(1)
        assert re.match(r"Parts? \d+( and \d+)? - ", title), title
        assert 'class="cell_output' in html, f"{path.stem} has no outputs"


def test_the_api_reference_documents_every_public_module():
    import handbp

    names = modules(handbp)
    assert names[0] == "handbp" and "handbp.network" in names and "handbp.equations" in names
    assert not [name for name in names if "._" in name]
    page = api_page(handbp)
    for name in names:
        assert f".. automodule:: {name}" in page
    assert "CATALOGUE" in long_values("handbp.equations")
    assert ".. autodata:: handbp.equations.CATALOGUE\n   :no-value:" in page


def test_the_command_refuses_bad_options(capsys):
    with pytest.raises(SystemExit):
        main(["--jobs", "0"])
    assert "--jobs must be at least 1" in capsys.readouterr().err


def test_a_failing_tutorial_stops_the_build_with_one_line(tmp_path, monkeypatch, capsys):
    def failing(*args, **kwargs):
        raise RuntimeError("tutorials that failed: part12.md; part12.md: boom")

    monkeypatch.setattr(building, "stage", failing)
    assert main(["--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        "python -m handbp_site: error: tutorials that failed: part12.md; part12.md: boom\n"
    )
