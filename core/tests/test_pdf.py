from core.pdf import content_hash, pdf_text, qr_svg, render_pdf


def test_render_pdf_keeps_chinese_text(tmp_path, settings) -> None:
    (tmp_path / "t.html").write_text(
        '{% extends "core/pdf_base.html" %}{% block body %}<h1>行政处罚决定书</h1><p>{{ party }}</p>'
        "{{ qr }}{% endblock %}",
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    pdf = render_pdf(
        "t.html", {"party": "苏州市相城区黄桥街道某某商店", "qr": qr_svg("https://example.org/v/1")}
    )
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf).replace(" ", "")
    assert "行政处罚决定书" in text
    assert "黄桥街道某某商店" in text


def test_qr_svg_is_inline_svg() -> None:
    svg = qr_svg("1.2.156.3005.2.11100000000013338W.001")
    assert svg.startswith("<svg") and "<path" in svg


def test_content_hash_is_sha256_hex() -> None:
    assert content_hash(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_without_a_chinese_font_documents_are_refused_not_printed_as_boxes(
    tmp_path, settings, monkeypatch
) -> None:
    import pytest

    from core import pdf
    from core.checks import check_cjk_font
    from core.errors import DomainError

    assert pdf.cjk_fonts(), "this machine has a CJK font (fonts-noto-cjk), so documents render"
    assert check_cjk_font() == []
    monkeypatch.setattr(pdf, "cjk_fonts", lambda: ())
    (tmp_path / "t.html").write_text("<p>行政处罚决定书</p>", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with pytest.raises(DomainError) as refused:
        render_pdf("t.html", {})
    assert (refused.value.code, refused.value.status) == ("cjk_font_missing", 503)
    assert "fonts-noto-cjk" in refused.value.message
    monkeypatch.setattr("core.checks.cjk_fonts", lambda: ())
    assert [m.id for m in check_cjk_font()] == ["core.W001"]


def test_production_without_a_public_address_is_warned(settings) -> None:
    from core.checks import check_public_base_url

    settings.DEMO_MODE, settings.PUBLIC_BASE_URL = False, ""
    assert [m.id for m in check_public_base_url()] == ["core.W002"]
    settings.PUBLIC_BASE_URL = "https://zhili.example.gov.cn"
    assert check_public_base_url() == []
