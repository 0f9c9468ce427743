"""Reading XLSX workbooks as Excel, WPS and other writers package them (SPEC.md section 7).

The workbooks are written here part by part, as literal XML, so that each test shows the one
thing a writer does differently: where the parts live, which optional parts are left out, how
cells and rows are addressed, and how numbers are styled.
"""

import io
import zipfile
from posixpath import dirname, relpath
from xml.sax.saxutils import quoteattr

import pytest
from openpyxl.utils import get_column_letter

from plans import tabular
from plans.periods import Period
from plans.tabular import TableError, table_read

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = f"{DOC_RELS}/officeDocument"
WORKSHEET = f"{DOC_RELS}/worksheet"
SHARED_STRINGS = f"{DOC_RELS}/sharedStrings"
STYLES = f"{DOC_RELS}/styles"
CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"

# Style 0 General, 1 a date (built-in 14), 2 a percentage (built-in 10), 3 a custom date, 4 a
# number with a quoted "%" (not a percentage), 5 a custom percentage.
STYLES_XML = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="3">'
    '<numFmt numFmtId="176" formatCode="yyyy/m/d"/>'
    '<numFmt numFmtId="177" formatCode="0&quot;%&quot;"/>'
    '<numFmt numFmtId="178" formatCode="0.0%"/>'
    '</numFmts><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="10"/>'
    '<xf numFmtId="176"/><xf numFmtId="177"/><xf numFmtId="178"/></cellXfs></styleSheet>'
)
HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>employee</t></is></c><c r="B1" t="inlineStr"><is><t>value</t></is></c></row>'


def rels(*relations: tuple[str, str, str]) -> str:
    items = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>' for rid, kind, target in relations)
    return f'<Relationships xmlns="{PACKAGE_RELS}">{items}</Relationships>'


def sheet(rows: str, *, header: str = HEADER, tail: str = "") -> str:
    return f'<worksheet xmlns="{MAIN}"><sheetData>{header}{rows}</sheetData>{tail}</worksheet>'


def zipped(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def package(
    rows: str,
    *,
    header: str = HEADER,
    strings: list[str] | None = None,
    styles: str | None = STYLES_XML,
    workbook_pr: str = "",
) -> dict[str, str]:
    """The parts of a one-sheet workbook where Excel puts them; a test changes what it needs."""
    book_rels = [("rId1", WORKSHEET, "worksheets/sheet1.xml")]
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": rels(("rId1", OFFICE_DOCUMENT, "xl/workbook.xml")),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">{workbook_pr}'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/worksheets/sheet1.xml": sheet(rows, header=header),
    }
    if strings is not None:
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}">{"".join(strings)}</sst>'
        book_rels.append(("rId2", SHARED_STRINGS, "sharedStrings.xml"))
    if styles is not None:
        parts["xl/styles.xml"] = styles
        book_rels.append(("rId3", STYLES, "styles.xml"))
    parts["xl/_rels/workbook.xml.rels"] = rels(*book_rels)
    return parts


def read_rows(parts: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    return [(row.number, row.cells) for row in table_read(zipped(parts)).rows]


def refusal(parts: dict[str, str]) -> list[str]:
    with pytest.raises(TableError) as refused:
        table_read(zipped(parts))
    return refused.value.messages


# --- Where the parts are -----------------------------------------------------------------------


def moved_workbook(book: str, *, absolute: bool) -> dict[str, str]:
    """A workbook at ``book`` whose first sheet is sheet2.xml (the sheets were reordered)."""
    folder = dirname(book)

    def target(part: str, start: str) -> str:
        return "/" + part if absolute else relpath(part, start or ".")

    first, second = f"{folder}/sheets/sheet2.xml".lstrip("/"), f"{folder}/sheets/sheet1.xml".lstrip("/")
    strings, styles = f"{folder}/strings.xml".lstrip("/"), f"{folder}/styles.xml".lstrip("/")
    book_rels = f"{folder}/_rels/{book.rsplit('/', 1)[-1]}.rels".lstrip("/")
    return {
        "_rels/.rels": rels(
            ("rId2", CORE_PROPERTIES, "docProps/core.xml"), ("rId1", OFFICE_DOCUMENT, target(book, ""))
        ),
        book: (
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
            '<sheet name="绩效" sheetId="2" r:id="rId7"/><sheet name="说明" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        book_rels: rels(
            ("rId1", WORKSHEET, target(second, folder)),
            ("rId7", WORKSHEET, target(first, folder)),
            ("rId8", SHARED_STRINGS, target(strings, folder)),
            ("rId9", STYLES, target(styles, folder)),
        ),
        first: sheet('<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" s="1"><v>46113</v></c></row>'),
        second: sheet('<row r="2"><c r="A2" t="inlineStr"><is><t>not this sheet</t></is></c></row>'),
        strings: f'<sst xmlns="{MAIN}"><si><t>li.lei</t></si></sst>',
        styles: STYLES_XML,
    }


@pytest.mark.parametrize(
    ("book", "absolute"),
    [
        ("xl/workbook.xml", False),
        ("xl/workbook.xml", True),
        ("XL/Book.xml", True),  # a writer's own names, addressed from the package root
        ("book.xml", False),  # the workbook at the package root
        ("wb/parts/book.xml", False),  # relative targets climbing out with ../
    ],
)
def test_the_first_sheet_and_its_strings_and_styles_are_found_through_the_relationships(
    book: str, *, absolute: bool
) -> None:
    assert read_rows(moved_workbook(book, absolute=absolute)) == [(2, {"employee": "li.lei", "value": "2026-04-01"})]


def test_a_package_that_does_not_name_its_workbook_is_read_from_xl_workbook_xml() -> None:
    parts = package('<row r="2"><c r="A2" t="inlineStr"><is><t>li.lei</t></is></c><c r="B2"><v>7</v></c></row>')
    parts["_rels/.rels"] = rels(("rId1", CORE_PROPERTIES, "docProps/core.xml"))
    assert read_rows(parts) == [(2, {"employee": "li.lei", "value": "7"})]


def test_a_relationship_without_a_type_or_a_target_is_passed_over() -> None:
    parts = package('<row r="2"><c r="A2" t="inlineStr"><is><t>li.lei</t></is></c><c r="B2"><v>7</v></c></row>')
    for name in ("_rels/.rels", "xl/_rels/workbook.xml.rels"):
        parts[name] = parts[name].replace("<Relationship ", '<Relationship Id="rId99"/><Relationship ', 1)
    assert read_rows(parts) == [(2, {"employee": "li.lei", "value": "7"})]


def test_a_package_naming_its_workbook_without_a_target_is_refused_as_unreadable() -> None:
    parts = package("")
    parts["_rels/.rels"] = (
        f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="{OFFICE_DOCUMENT}"/></Relationships>'
    )
    assert refusal(parts) == [
        "The file is not an Excel workbook (.xlsx) we can read: \"There is no item named '' in the archive\""
    ]


def test_a_workbook_without_a_sheet_is_refused() -> None:
    parts = package("")
    parts["xl/workbook.xml"] = f'<workbook xmlns="{MAIN}"><sheets/></workbook>'
    assert refusal(parts) == ["The workbook has no sheet."]


def test_a_sheet_without_its_relationship_is_refused_as_unreadable() -> None:
    parts = package("")
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="{MAIN}"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>'
    )
    assert refusal(parts) == ["The file is not an Excel workbook (.xlsx) we can read: ''"]


def test_a_broken_zip_is_refused_naming_the_problem() -> None:
    with pytest.raises(TableError) as refused:
        table_read(b"PK\x03\x04 broken zip")
    assert refused.value.messages == ["The file is not an Excel workbook (.xlsx) we can read: File is not a zip file"]


def test_a_sheet_whose_xml_is_cut_short_is_refused_naming_the_place() -> None:
    parts = package("")
    parts["xl/worksheets/sheet1.xml"] = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">'
    assert refusal(parts) == [
        "The file is not an Excel workbook (.xlsx) we can read: no element found: line 1, column 99"
    ]


def test_a_sheet_declaring_a_doctype_is_refused_before_any_entity_is_expanded() -> None:
    parts = package("")
    parts["xl/worksheets/sheet1.xml"] = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>' + parts["xl/worksheets/sheet1.xml"]
    )
    assert refusal(parts) == ["The file is not an Excel workbook (.xlsx) we can read: DOCTYPE"]


# --- Optional parts: shared strings and styles ---------------------------------------------------


def test_a_workbook_with_only_inline_strings_and_no_styles_part_reads() -> None:
    parts = package(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>007</t></is></c><c r="B2" s="1"><v>46113</v></c></row>', styles=None
    )
    # An inline "007" is text, not the number 7; without styles the date stays its serial number.
    assert read_rows(parts) == [(2, {"employee": "007", "value": "46113"})]


def test_shared_strings_or_styles_named_but_missing_from_the_package_are_done_without() -> None:
    parts = package('<row r="2"><c r="A2" t="inlineStr"><is><t>li.lei</t></is></c><c r="B2" s="2"><v>0.5</v></c></row>')
    parts["xl/_rels/workbook.xml.rels"] = rels(
        ("rId1", WORKSHEET, "worksheets/sheet1.xml"),
        ("rId2", SHARED_STRINGS, "sharedStrings.xml"),
        ("rId3", STYLES, "missing-styles.xml"),
    )
    assert read_rows(parts) == [(2, {"employee": "li.lei", "value": "0.5"})]


def test_shared_strings_join_their_rich_text_runs_and_keep_an_empty_string_empty() -> None:
    strings = [
        "<si><t>li.lei</t></si>",
        "<si><r><t>李</t></r><r><rPr><b/></rPr><t/></r><r><t>雷</t></r><rPh sb='0' eb='2'><t>リーレイ</t></rPh></si>",
        "<si><t/></si>",
        "<si><t>  han.mei  </t></si>",
    ]
    rows = (
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>3</v></c><c r="B3" t="s"><v>2</v></c></row>'
    )
    assert read_rows(package(rows, strings=strings)) == [
        (2, {"employee": "li.lei", "value": "李雷"}),
        (3, {"employee": "han.mei", "value": ""}),
    ]


@pytest.mark.parametrize(
    ("style", "value", "shown"),
    [
        (0, "0.125", "0.125"),
        (1, "46113", "2026-04-01"),
        (2, "0.125", "12.5%"),
        (3, "46113.75", "2026-04-01"),
        (4, "12", "12"),  # 0"%" shows a literal percent sign after the number: not a percentage
        (5, "1", "100%"),
        (1, "1e10", "10000000000"),  # too large for a date: shown as the number
    ],
)
def test_a_number_is_shown_as_its_style_says(style: int, value: str, shown: str) -> None:
    rows = (
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>li.lei</t></is></c><c r="B2" s="{style}"><v>{value}</v></c></row>'
    )
    assert read_rows(package(rows)) == [(2, {"employee": "li.lei", "value": shown})]


def styled(format_id: int, value: str, *, formats: str = "") -> list[tuple[int, dict[str, str]]]:
    """A cell of ``value`` in a style naming the number format ``format_id``, declared in
    ``formats`` or, as Excel writes a built-in format, by its id alone."""
    styles = (
        f'<styleSheet xmlns="{MAIN}">{formats}<cellXfs count="2">'
        f'<xf numFmtId="0"/><xf numFmtId="{format_id}"/></cellXfs></styleSheet>'
    )
    rows = f'<row r="2"><c r="A2" t="inlineStr"><is><t>li.lei</t></is></c><c r="B2" s="1"><v>{value}</v></c></row>'
    return read_rows(package(rows, styles=styles))


@pytest.mark.parametrize(
    ("format_id", "value", "shown"),
    [
        # The formats a Chinese Excel shows by these ids (ECMA-376 Part 1, 18.8.30, zh-CN).
        (57, "46113", "2026-04-01"),  # yyyy"年"m"月": 2026年4月, the day as any date cell reads
        (31, "46113", "2026-04-01"),  # yyyy"年"m"月"d"日"
        (31, "46113.75", "2026-04-01"),  # with a time of day: its day
        (27, "46113", "2026-04-01"),  # yyyy"年"m"月"
        (28, "46113", "2026-04-01"),  # m"月"d"日"
        (29, "46113", "2026-04-01"),
        (30, "46113", "2026-04-01"),  # m-d-yy
        (36, "46113", "2026-04-01"),
        (50, "46113", "2026-04-01"),
        (51, "46113", "2026-04-01"),
        (52, "46113", "2026-04-01"),
        (53, "46113", "2026-04-01"),
        (54, "46113", "2026-04-01"),
        (58, "46113", "2026-04-01"),
        (57, "1e10", "10000000000"),  # too large for a date: shown as the number
        # Times of day: the fraction of a day the cell holds, never a day of December 1899.
        (32, "0.5", "0.5"),  # h"时"mm"分": 12时00分
        (33, "0.75", "0.75"),  # h"时"mm"分"ss"秒"
        (34, "0.5", "0.5"),  # 上午/下午h"时"mm"分"
        (35, "0.5", "0.5"),
        (55, "0.5", "0.5"),
        (56, "0.5", "0.5"),
        # The built-in times every Excel shares, and the durations.
        (18, "0.5", "0.5"),  # h:mm AM/PM
        (19, "0.5", "0.5"),
        (20, "0.5", "0.5"),  # h:mm
        (21, "0.5", "0.5"),
        (45, "0.5", "0.5"),  # mm:ss
        (46, "1.5", "1.5"),  # [h]:mm:ss: 36:00:00
        (47, "0.5", "0.5"),  # mmss.0
        (22, "46113.5", "2026-04-01"),  # m/d/yy h:mm: a date with its time, read as its day
    ],
)
def test_a_built_in_format_named_by_its_id_alone_reads_as_a_chinese_excel_shows_it(
    format_id: int, value: str, shown: str
) -> None:
    assert styled(format_id, value) == [(2, {"employee": "li.lei", "value": shown})]


def test_a_month_cell_in_the_chinese_built_in_format_is_read_as_its_month() -> None:
    # What the figures and the roster imports make of a period cell (Period.from_cell).
    assert Period.from_cell(styled(57, "46113")[0][1]["value"]) == Period(2026, 4)


@pytest.mark.parametrize(
    ("code", "value", "shown"),
    [
        ('h"时"mm"分"', "0.5", "0.5"),
        ("[$-F400]h:mm:ss AM/PM", "0.5", "0.5"),  # Excel's system time
        ("[Red][h]:mm;@", "1.5", "1.5"),  # a duration, in a colour
        ('"Day "hh:mm', "0.5", "0.5"),  # quoted text is not a date's d
        ("\\d h:mm", "0.5", "0.5"),  # nor an escaped one
        ('yyyy"年"m"月"d"日" hh:mm', "46113.5", "2026-04-01"),  # a date and a time: a date
        ("YYYY-MM-DD HH:MM", "46113.5", "2026-04-01"),
        ('[DBNum1][$-804]yyyy"年"m"月"', "46113", "2026-04-01"),
        ('m"月"', "46113", "2026-04-01"),  # a month alone is a date, not minutes
        ("0.00", "46113", "46113"),  # a code the file declares for a built-in id wins
    ],
)
def test_a_declared_format_showing_only_a_time_reads_as_its_number_and_one_with_a_date_as_its_day(
    code: str, value: str, shown: str
) -> None:
    format_id = 57 if code == "0.00" else 180
    formats = f'<numFmts count="1"><numFmt numFmtId="{format_id}" formatCode={quoteattr(code)}/></numFmts>'
    assert styled(format_id, value, formats=formats) == [(2, {"employee": "li.lei", "value": shown})]


def test_styles_without_cell_formats_or_with_formats_left_out_read_as_general() -> None:
    rows = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>li.lei</t></is></c><c r="B2" s="0"><v>46113</v></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>han.mei</t></is></c><c r="B3" s="1"><v>0.5</v></c></row>'
    )
    assert read_rows(package(rows, styles=f'<styleSheet xmlns="{MAIN}"/>')) == [
        (2, {"employee": "li.lei", "value": "46113"}),
        (3, {"employee": "han.mei", "value": "0.5"}),
    ]
    # An xf without numFmtId is General; one naming a format the file never declares is too.
    styles = (
        f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf fontId="0"/><xf numFmtId="190"/></cellXfs></styleSheet>'
    )
    assert read_rows(package(rows, styles=styles)) == [
        (2, {"employee": "li.lei", "value": "46113"}),
        (3, {"employee": "han.mei", "value": "0.5"}),
    ]
    # A declared format without its code, or without its id, changes nothing either.
    styles = (
        f'<styleSheet xmlns="{MAIN}"><numFmts count="2"><numFmt numFmtId="180"/><numFmt formatCode="0.00"/></numFmts>'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="180"/></cellXfs></styleSheet>'
    )
    assert read_rows(package(rows, styles=styles)) == [
        (2, {"employee": "li.lei", "value": "46113"}),
        (3, {"employee": "han.mei", "value": "0.5"}),
    ]


@pytest.mark.parametrize(("flag", "serial"), [("1", 44651), ("true", 44651), ("0", 46113), ("false", 46113)])
def test_a_date_counts_from_1904_when_the_workbook_says_so(flag: str, serial: int) -> None:
    rows = f'<row r="2"><c r="A2" t="inlineStr"><is><t>li.lei</t></is></c><c r="B2" s="1"><v>{serial}</v></c></row>'
    parts = package(rows, workbook_pr=f'<workbookPr date1904="{flag}"/>')
    assert read_rows(parts) == [(2, {"employee": "li.lei", "value": "2026-04-01"})]


# --- Cells -----------------------------------------------------------------------------------------


def test_booleans_text_formulas_and_empty_styled_cells_read_as_excel_shows_them() -> None:
    header = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>employee</t></is></c>'
        + "".join(f'<c r="{c}1" t="inlineStr"><is><t>{c.lower()}</t></is></c>' for c in "BCDEFG")
        + "</row>"
    )
    rows = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>li.lei</t></is></c>'
        '<c r="B2" t="b"><v>1</v></c><c r="C2" t="b"><v>0</v></c>'
        '<c r="D2" t="str"><f>TEXT(12,"0000")</f><v>0012</v></c>'
        '<c r="E2" s="3"/>'  # a formatted blank cell
        '<c r="F2"><v>2</v></c><c r="G2"><f>F2*2</f><v>4</v></c></row>'
    )
    assert read_rows(package(rows, header=header)) == [
        (2, {"employee": "li.lei", "b": "TRUE", "c": "FALSE", "d": "0012", "e": "", "f": "2", "g": "4"})
    ]


def test_a_missing_cell_in_the_middle_of_a_row_reads_empty() -> None:
    header = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>employee</t></is></c><c r="B1" t="inlineStr"><is><t>period</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>value</t></is></c></row>'
    )
    rows = '<row r="2"><c r="A2" t="inlineStr"><is><t>li.lei</t></is></c><c r="C2"><v>9</v></c></row>'
    assert read_rows(package(rows, header=header)) == [(2, {"employee": "li.lei", "period": "", "value": "9"})]


def test_the_phonetic_guide_of_one_cell_does_not_hide_the_next_cells_text() -> None:
    rows = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>李雷</t><rPh sb="0" eb="2"><t>リーレイ</t></rPh></is></c>'
        '<c r="B2" t="inlineStr"><is><t>韩梅梅</t></is></c></row>'
    )
    assert read_rows(package(rows)) == [(2, {"employee": "李雷", "value": "韩梅梅"})]


def test_rows_and_cells_without_references_are_placed_in_order() -> None:
    """Some writers leave out r="…": rows then count from 1, cells from column A."""
    header = '<row><c t="inlineStr"><is><t>employee</t></is></c><c t="inlineStr"><is><t>value</t></is></c></row>'
    rows = (
        '<row><c t="inlineStr"><is><t>li.lei</t></is></c><c><v>1</v></c></row>'
        '<row><c t="inlineStr"><is><t>han.mei</t></is></c><c><v>2</v></c></row>'
    )
    assert read_rows(package(rows, header=header)) == [
        (2, {"employee": "li.lei", "value": "1"}),
        (3, {"employee": "han.mei", "value": "2"}),
    ]


def test_rows_keep_the_numbers_the_sheet_gives_them() -> None:
    rows = (
        '<row r="3"><c r="A3" t="inlineStr"><is><t>li.lei</t></is></c></row>'
        '<row r="7"><c r="A7" t="inlineStr"><is><t>han.mei</t></is></c><c r="B7"><v>2</v></c></row>'
    )
    assert read_rows(package(rows)) == [
        (3, {"employee": "li.lei", "value": ""}),
        (7, {"employee": "han.mei", "value": "2"}),
    ]


# --- Limits --------------------------------------------------------------------------------------


def test_a_sheet_may_have_200_columns_and_not_201() -> None:
    header = "<row r='1'>" + "".join(
        f'<c r="{get_column_letter(n)}1" t="inlineStr"><is><t>c{n}</t></is></c>' for n in range(1, 201)
    )
    rows = '<row r="2"><c r="A2"><v>1</v></c><c r="GR2"><v>200</v></c></row>'
    table = table_read(zipped(package(rows, header=header + "</row>")))
    assert len(table.header) == 200
    assert table.rows[0].cells["c200"] == "200"
    assert table.rows[0].cells["c1"] == "1"
    rows = '<row r="2"><c r="A2"><v>1</v></c><c r="GS2"><v>201</v></c></row>'
    assert refusal(package(rows, header=header + "</row>")) == ["Cell GS2: a file may have at most 200 columns."]


def numbered_rows(first: int, last: int) -> str:
    return "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>p{n}</t></is></c><c r="B{n}"><v>{n}</v></c></row>'
        for n in range(first, last + 1)
    )


def test_a_sheet_may_have_max_rows_data_rows_and_not_one_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    assert [number for number, _cells in read_rows(package(numbered_rows(2, 4)))] == [2, 3, 4]
    too_many = ["The file has more than 3 rows: split it into smaller files."]
    assert refusal(package(numbered_rows(2, 5))) == too_many
    # A row refused for its own fault still counts: four data rows are one too many.
    wide = '<row r="2"><c r="A2"><v>1</v></c><c r="C2"><v>1</v></c></row>'
    assert refusal(package(wide + numbered_rows(3, 5))) == too_many


def test_a_part_may_unpack_to_the_limit_and_not_a_byte_more(monkeypatch: pytest.MonkeyPatch) -> None:
    parts = package(numbered_rows(2, 40))
    largest = max(len(content.encode()) for content in parts.values())
    assert largest == len(parts["xl/worksheets/sheet1.xml"].encode())
    monkeypatch.setattr(tabular, "MAX_XML_BYTES", largest)
    assert len(table_read(zipped(parts)).rows) == 39
    monkeypatch.setattr(tabular, "MAX_XML_BYTES", largest - 1)
    assert refusal(parts) == ["The file is larger than 50 MB: split it into smaller files."]


def test_a_bounded_stream_gives_up_to_its_limit_and_refuses_a_byte_more() -> None:
    """The guard behind a zip entry whose declared size lies: it counts what really inflates."""
    assert io.BufferedReader(tabular._Bounded(io.BytesIO(b"x" * 100), 100)).read() == b"x" * 100
    with pytest.raises(TableError) as refused:
        io.BufferedReader(tabular._Bounded(io.BytesIO(b"x" * 101), 100)).read()
    assert refused.value.messages == ["The file is larger than 50 MB: split it into smaller files."]


def test_a_header_cell_computed_by_a_formula_reads_its_saved_text() -> None:
    header = (
        '<row r="1"><c r="A1" t="str"><f>"employee"</f><v>employee</v></c>'
        '<c r="B1" t="inlineStr"><is><t>value</t></is></c></row>'
    )
    rows = '<row r="2"><c r="A2" t="inlineStr"><is><t>li.lei</t></is></c><c r="B2"><v>1</v></c></row>'
    assert read_rows(package(rows, header=header)) == [(2, {"employee": "li.lei", "value": "1"})]
