"""The letter renderer: PDF/A, only its own assets, a hard time limit."""

from __future__ import annotations

import subprocess
import tempfile

import pytest
from django.template import engines

from stord_bolig import letters


def pdf_text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout


def pdf_metadata(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(["pdfinfo", "-meta", handle.name], capture_output=True, text=True, check=True).stdout


def _render_string(html: str, **kwargs) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=f"{letters.ASSET_SCHEME}:/", url_fetcher=letters.LetterAssetFetcher()).write_pdf(
        pdf_variant=letters.PDF_VARIANT, **kwargs
    )


def test_fetcher__refuses_file_urls():
    with pytest.raises(ValueError):
        letters.LetterAssetFetcher().fetch("file:///etc/passwd")


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:1/x.css", "https://example.org/x.png", "letter-asset:../../../etc/passwd", "data:text/plain,x"],
)
def test_fetcher__refuses_network_traversal_and_other_schemes(url):
    with pytest.raises(ValueError):
        letters.LetterAssetFetcher().fetch(url)


def test_fetcher__serves_the_letter_stylesheet():
    response = letters.LetterAssetFetcher().fetch("letter-asset:letter.css")
    assert b"@page" in response.read()


def test_render__a_letter_that_embeds_etc_passwd_does_not_contain_it():
    html = """<html><body><p>Hei</p>
      <object data="file:///etc/passwd" type="text/plain"></object>
      <img src="file:///etc/passwd"><iframe src="file:///etc/passwd"></iframe>
      <link rel="stylesheet" href="file:///etc/passwd"></body></html>"""
    text = pdf_text(_render_string(html))
    assert "Hei" in text
    assert "root:" not in text


def test_render__letter_is_pdfa_with_letterhead():
    pdf = letters.render_pdf(
        "letters/base_letter.html",
        {"title": "Prøvebrev", "case_ref": "S-2026-0001", "recipient_lines": ["Kari Nordmann", "Hamnegata 1"]},
    )
    assert pdf.startswith(b"%PDF-")
    assert "pdfaid:part" in pdf_metadata(pdf)
    text = pdf_text(pdf)
    assert "Stord kommune" in text
    assert "Prøvebrev" in text
    assert "S-2026-0001" in text


def test_render__hits_the_time_limit_on_a_pathological_document():
    template = engines["django"].from_string("x")  # noqa: F841 - engines loaded
    rows = "".join(f"<tr><td>{i}</td><td>{'lorem ipsum ' * 40}</td></tr>" for i in range(20000))
    html = f"<html><body><table>{rows}</table></body></html>"
    with pytest.raises(letters.LetterRenderTimeout), letters._time_limit(1):
        _render_string(html)
