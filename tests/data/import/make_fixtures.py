#!/usr/bin/env python3
"""Writes the fixtures of `pspm import plan` from config/plan.example.toml.

    python3 tests/data/import/make_fixtures.py

Python's standard library only (the .xlsx and .ods files are zips of XML written here), and
byte for byte the same on every run, so a change shows in `git diff` only when the example
plan or this script changes. Writes, beside this script:

- plan.example.xlsx  Italian sheet and column names (`Unità`, `Target 2026`), real date cells
- plan.example.ods   English names (`Max supports`-style capitals, `target_2026`), date cells
                     for `due`, text `YYYY-MM-DD` for `start`
- csv/example.TABLE.csv  one CSV file per table, English names, dates as text
- errors.xlsx        the Italian workbook with four wrong cells (see ERRORS)
"""

import csv
import datetime
import io
import pathlib
import tomllib
import zipfile
from xml.sax.saxutils import escape, quoteattr

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent

# The plan file's tables and their columns, in order.
TABLES = {
    "plan": ["id", "title", "description"],
    "sections": ["id", "title", "description", "phase", "max_supports"],
    "objectives": ["code", "section", "title"],
    "results": ["code", "objective", "title", "indicator", "unit", "baseline"],
    "actions": ["code", "section", "objective", "title", "owner", "owners", "start", "due", "weight"],
}

ITALIAN = {
    "sheets": {"plan": "piano", "sections": "sezioni", "objectives": "obiettivi",
               "results": "risultati", "actions": "azioni"},
    "columns": {"id": "Id", "code": "Codice", "title": "Titolo", "description": "Descrizione",
                "phase": "Fase", "max_supports": "Max sostegni", "section": "Sezione",
                "objective": "Obiettivo", "indicator": "Indicatore", "unit": "Unità",
                "baseline": "Baseline", "owner": "Responsabile", "owners": "Referenti",
                "start": "Inizio", "due": "Scadenza", "weight": "Peso"},
    "target": "Target {}",
}

ENGLISH = {
    "sheets": {t: t for t in TABLES},
    "columns": {c: c.replace("_", " ").capitalize() for cols in TABLES.values() for c in cols},
    "target": "target_{}",
}

PLAIN = {
    "sheets": {t: t for t in TABLES},
    "columns": {c: c for cols in TABLES.values() for c in cols},
    "target": "target_{}",
}

# errors.xlsx: (table, data row from 0, column) → the wrong value. Its `azioni` sheet starts
# at B2, as a sheet with a margin does: messages still name the rows and columns it shows.
ERRORS = {
    ("results", 0, "objective"): "OB.9.9",
    ("actions", 0, "weight"): "due",
    ("actions", 1, "owners"): "ente1",
    ("actions", 1, "due"): "31/02/2026",
}


def tables_of(plan):
    """The example plan as tables: a header of column keys and rows of values (None: empty)."""
    years = sorted({y for r in plan.get("results", []) for y in r.get("targets", {})})
    out = {}
    for table, columns in TABLES.items():
        records = [plan["plan"]] if table == "plan" else plan.get(table, [])
        # Only the columns the example uses, as a person would lay them out.
        used = [c for c in columns if any(c in r for r in records)]
        rows = []
        for r in records:
            row = [r.get(c) for c in used]
            row = [" ".join(v) if isinstance(v, list) else v for v in row]
            if table == "results":
                row += [r.get("targets", {}).get(y) for y in years]
            rows.append(row)
        header = used + ([("target", y) for y in years] if table == "results" else [])
        out[table] = (header, rows)
    return out


def named(dialect, table, header):
    sheet = dialect["sheets"][table]
    names = [dialect["target"].format(c[1]) if isinstance(c, tuple) else dialect["columns"][c]
             for c in header]
    return sheet, names


def with_errors(tables):
    for (table, row, column), value in ERRORS.items():
        header, rows = tables[table]
        rows[row][header.index(column)] = value
    return tables


def zip_bytes(files):
    """A zip whose bytes depend on its files only (fixed times, the given order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data, compress in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buffer.getvalue()


def column_letter(index):
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SPREADSHEETML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"


def xlsx_cell(ref, value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        serial = (value - datetime.date(1899, 12, 30)).days
        return f'<c r="{ref}" s="1"><v>{serial}</v></c>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def xlsx(sheets, margins=None):
    """An .xlsx workbook: sheets as (name, rows); dates in the `yyyy-mm-dd` format. `margins`:
    sheet name → (empty rows, empty columns) before its cells."""
    margins = margins or {}
    files = []
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    files.append(("[Content_Types].xml", XML +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f'{overrides}</Types>', True))
    files.append(("_rels/.rels", XML +
        f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>', True))
    entries = "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                      for i, (name, _) in enumerate(sheets, 1))
    files.append(("xl/workbook.xml", XML +
        f'<workbook xmlns="{SPREADSHEETML}" xmlns:r="{RELATIONSHIPS}"><sheets>{entries}</sheets></workbook>', True))
    links = "".join(f'<Relationship Id="rId{i}" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                    for i in range(1, len(sheets) + 1))
    styles_id = len(sheets) + 1
    files.append(("xl/_rels/workbook.xml.rels", XML +
        f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">{links}'
        f'<Relationship Id="rId{styles_id}" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/></Relationships>', True))
    files.append(("xl/styles.xml", XML +
        f'<styleSheet xmlns="{SPREADSHEETML}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        '</styleSheet>', True))
    for i, (name, rows) in enumerate(sheets, 1):
        top, left = margins.get(name, (0, 0))
        body = "".join(
            f'<row r="{r}">' + "".join(xlsx_cell(f"{column_letter(c)}{r}", v)
                                       for c, v in enumerate(row, left)) + "</row>"
            for r, row in enumerate(rows, top + 1))
        files.append((f"xl/worksheets/sheet{i}.xml", XML +
            f'<worksheet xmlns="{SPREADSHEETML}"><sheetData>{body}</sheetData></worksheet>', True))
    return zip_bytes(files)


def ods_cell(value, text_dates):
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, datetime.date) and not text_dates:
        return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return f'<table:table-cell office:value-type="string"><text:p>{escape(text)}</text:p></table:table-cell>'


def ods(sheets, text_date_columns):
    """An .ods spreadsheet: sheets as (name, rows); dates in the named columns as text."""
    tables = []
    for name, rows in sheets:
        header = rows[0]
        body = "".join(
            "<table:table-row>" + "".join(ods_cell(v, header[c] in text_date_columns)
                                          for c, v in enumerate(row)) + "</table:table-row>"
            for row in rows)
        tables.append(f"<table:table table:name={quoteattr(name)}>{body}</table:table>")
    content = (XML.replace(' standalone="yes"', "") +
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet>{"".join(tables)}</office:spreadsheet></office:body>'
        "</office:document-content>")
    manifest = (XML.replace(' standalone="yes"', "") +
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    # The media type comes first and uncompressed: that is how an ODS file is recognised.
    return zip_bytes([
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet", False),
        ("META-INF/manifest.xml", manifest, True),
        ("content.xml", content, True),
    ])


def sheets_of(tables, dialect):
    sheets = []
    for table, (header, rows) in tables.items():
        name, names = named(dialect, table, header)
        sheets.append((name, [names] + rows))
    return sheets


def csv_text(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, datetime.date) else v
                         for v in row])
    return out.getvalue()


def main():
    with open(ROOT / "config" / "plan.example.toml", "rb") as f:
        plan = tomllib.load(f)
    (HERE / "plan.example.xlsx").write_bytes(xlsx(sheets_of(tables_of(plan), ITALIAN)))
    (HERE / "plan.example.ods").write_bytes(ods(sheets_of(tables_of(plan), ENGLISH), {"Start"}))
    (HERE / "csv").mkdir(exist_ok=True)
    for name, rows in sheets_of(tables_of(plan), PLAIN):
        (HERE / "csv" / f"example.{name}.csv").write_text(csv_text(rows), encoding="utf-8")
    (HERE / "errors.xlsx").write_bytes(
        xlsx(sheets_of(with_errors(tables_of(plan)), ITALIAN), margins={"azioni": (1, 1)}))
    # `pspm import progress|measurements`: a workbook with another sheet beside the updates,
    # dates as date cells; an ODS with its one sheet.
    (HERE / "progress.xlsx").write_bytes(xlsx([
        ("Istruzioni", [["Compilare il foglio avanzamento"]]),
        ("Avanzamento", [
            ["Azione", "Avanzamento", "Data", "Nota"],
            ["CAP2.PA.LA01", 40, datetime.date(2026, 3, 1), "in collaudo"],
            ["CAP2.PA.LA02", 15, None, None],
        ]),
    ]))
    (HERE / "measurements.ods").write_bytes(ods([
        ("Foglio1", [
            ["Risultato", "Valore", "Data"],
            ["R.A.2.1a", 12.5, datetime.date(2026, 6, 30)],
        ]),
    ], set()))


if __name__ == "__main__":
    main()
