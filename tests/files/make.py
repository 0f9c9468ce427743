"""Builds the spreadsheet fixtures of this folder as Excel and WPS on a Chinese Windows save them.

Run it from the project (``.venv/bin/python tests/files/make.py``) after changing it; the files it
writes are committed, so the tests read fixed bytes.
"""

import io
import re
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
ROSTER = (
    "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\r\n"
    "li.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2000,6000\r\n"
    "han.mei,韩梅梅,客户部,wang.fang,customer-manager,2026-02,2000,6000\r\n"
)


def csv_files() -> None:
    # Excel "CSV (逗号分隔)" on a Chinese Windows: the system code page, GB18030/GBK.
    (HERE / "roster-gb18030.csv").write_bytes(ROSTER.encode("gb18030"))
    # Excel "CSV UTF-8 (逗号分隔)": UTF-8 with a BOM.
    (HERE / "roster-utf8-bom.csv").write_bytes(ROSTER.encode("utf-8-sig"))
    # Excel "Unicode 文本": UTF-16 little-endian with a BOM, tab-separated.
    (HERE / "roster-utf16.txt").write_bytes(ROSTER.replace(",", "\t").encode("utf-16"))


def _save(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite_sheet(data: bytes, change: Callable[[str], str]) -> bytes:
    """The same workbook with its first sheet's XML changed (what openpyxl will not write)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


def _metrics_book() -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["employee", "period", "satisfaction", "churn.lost", "churn.total"])
    sheet.append(["li.lei", "2026-04", 8.6, 2, 50])
    sheet.append(["han.mei", "2026-04", 9.1, 1, 40])
    return book


def xlsx_files() -> None:
    plain = _save(_metrics_book())
    # A sheet that declares itself A1:XFD1048576 (16,384 columns by a million rows).
    (HERE / "metrics-lying-dimension.xlsx").write_bytes(
        _rewrite_sheet(plain, lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml))
    )
    # A sheet whose declared size is stale: it says A1:B2, the data goes to E3.
    (HERE / "metrics-stale-dimension.xlsx").write_bytes(
        _rewrite_sheet(plain, lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:B2"/>', xml))
    )
    # Department cells merged over two people, as HR lays out a roster for the eye.
    book = openpyxl.Workbook()
    sheet = book.active
    for line in ROSTER.strip().split("\r\n"):
        sheet.append(line.split(","))
    sheet["C3"] = None
    sheet.merge_cells("C2:C3")
    (HERE / "roster-merged.xlsx").write_bytes(_save(book))
    # A formula that was never calculated (a file written by a program, not saved by Excel).
    book = _metrics_book()
    book.active["C3"] = "=C2+0.5"
    (HERE / "metrics-formula-uncached.xlsx").write_bytes(_save(book))
    # The same formula with the value Excel saved beside it.
    (HERE / "metrics-formula-cached.xlsx").write_bytes(
        _rewrite_sheet(
            _save(book),
            lambda xml: xml.replace("<f>C2+0.5</f><v></v>", "<f>C2+0.5</f><v>9.1</v>").replace(
                "<f>C2+0.5</f><v />", "<f>C2+0.5</f><v>9.1</v>"
            ),
        )
    )
    # Percentages as cells formatted "0%" hold them (12.9032 % is 0.129032), and a month that Excel
    # turned into a date.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["employee", "period", "feedback.ok", "feedback.total", "churn"])
    sheet.append(["li.lei", date(2026, 4, 1), 46, 48, 0.129032])
    sheet["B2"].number_format = 'yyyy"年"m"月"'
    sheet["E2"].number_format = "0.00%"
    (HERE / "metrics-percent-date.xlsx").write_bytes(_save(book))


def excel_like_file() -> None:
    """A workbook as Excel itself writes one: shared strings (with the phonetic guide Excel keeps
    beside Chinese text), styles by index, cells without an explicit type, and a dimension."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<workbookPr/><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/>'
            '<sheet name="说明" sheetId="2" r:id="rId2"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet2.xml"/>'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'styles" Target="styles.xml"/>'
            '<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/></numFmts>'
            '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="176"/><xf numFmtId="4"/></cellXfs></styleSheet>'
        ),
        "xl/sharedStrings.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">'
            "<si><t>employee</t></si><si><t>name</t></si><si><t>start</t></si><si><t>monthly_bonus</t></si>"
            "<si><t>li.lei</t></si><si><r><t>李</t></r><r><rPr><b/></rPr><t>雷</t></r>"
            '<rPh sb="0" eb="2"><t>リーレイ</t></rPh></si></sst>'
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<dimension ref="A1:D2"/><sheetData>'
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
            '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" t="s"><v>5</v></c>'
            '<c r="C2" s="1"><v>46113</v></c><c r="D2" s="2"><v>2500.5</v></c><c r="F2" s="2"/></row>'
            '<row r="7"><c r="B7" s="2"/></row>'
            "</sheetData></worksheet>"
        ),
        "xl/worksheets/sheet2.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>not this sheet</t></is></c></row></sheetData>'
            "</worksheet>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    (HERE / "roster-excel.xlsx").write_bytes(out.getvalue())


if __name__ == "__main__":
    csv_files()
    xlsx_files()
    excel_like_file()
