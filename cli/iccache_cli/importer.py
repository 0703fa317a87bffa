"""`iccache import`: JSONL, CSV or a JSON array into an iccache table, in one transaction.

Every row is checked and inserted inside one transaction; the first bad row (a missing or
mistyped field, or an example the table refuses) rolls everything back and is reported as
"row N (line L): reason", so a file is imported whole or not at all.
"""
import csv
import io
import json
import os
import re
import sqlite3
import stat
import sys

from .errors import CliError, EXIT_BAD_DATA, EXIT_INPUT
from .progress import Progress


class BadRow(Exception):
    def __init__(self, row, line, reason):
        where = "row %d" % row + ("" if line is None else " (line %d)" % line)
        super().__init__("%s: %s" % (where, reason))


def detect_format(path, head):
    if path == "-":
        first = head.lstrip()[:1]
        if first == b"[":
            return "json"
        if first == b"{":
            return "jsonl"
        raise CliError("cannot tell the format of standard input from its first character; pass --format "
                       "jsonl, csv or json", EXIT_INPUT)
    ext = os.path.splitext(path)[1].lower()
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext == ".csv":
        return "csv"
    if ext == ".json":
        return "json" if head.lstrip()[:1] == b"[" else "jsonl"
    raise CliError("cannot tell the format of %s from its name; expected .jsonl, .csv or .json, or pass --format"
                   % path, EXIT_INPUT)


class CountingLines:
    """Lines of a binary file decoded as UTF-8, counting bytes for the progress bar."""

    def __init__(self, f):
        self.f, self.bytes, self.line = f, 0, 0

    def __iter__(self):
        for raw in self.f:
            self.bytes += len(raw)
            self.line += 1
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise BadRow(self.line, self.line, "the text is not valid UTF-8 (%s)" % e.reason)


# One step of an SQLite JSON path: .key, ."quoted key", [N] or [#-N] (from the end).
PATH_STEP = re.compile(r'\.(?:"((?:[^"\\]|\\.)*)"|([^.\[]+))|\[(#-)?(\d+)\]')


def parse_path(path):
    """The steps of a field path: SQLite's JSON path syntax ($.messages[0].content,
    $.a."b.c", $.turns[#-1]) or a plain dotted name (input.text). Steps are str keys and
    int indexes (negative from the end). ValueError names what is wrong."""
    if not path.startswith("$"):
        return path.split(".")
    steps, pos = [], 1
    while pos < len(path):
        m = PATH_STEP.match(path, pos)
        if not m:
            raise ValueError("field path %r is not an SQLite JSON path at character %d; expected steps like "
                             "$.messages[0].content, $.\"a.b\" or $.turns[#-1]" % (path, pos + 1))
        quoted, key, from_end, index = m.groups()
        if index is not None:
            n = int(index)
            steps.append(n if not from_end else -n if n else None)  # [#-0]: past the end, never a value
        else:
            steps.append(json.loads('"%s"' % quoted) if quoted is not None else key)
        pos = m.end()
    return steps


def field(record, path):
    """The value at path in record (see parse_path), or None where it does not exist."""
    value = record
    for step in parse_path(path):
        if step is None:
            return None
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return None
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return None
            value = value[step]
    return value


class Mapping:
    """Which field holds what, and constants for fields the file lacks."""

    def __init__(self, args):
        for opt, p in (("--request-field", args.request_field), ("--response-field", args.response_field),
                       ("--model-field", args.model_field), ("--quality-field", args.quality_field),
                       ("--tenant-field", args.tenant_field), ("--embedding-field", args.embedding_field)):
            try:
                parse_path(p or "x")
            except ValueError as e:
                raise CliError("%s: %s" % (opt, e), EXIT_INPUT)
        self.request, self.response = args.request_field, args.response_field
        self.fields = {"model": args.model_field, "quality": args.quality_field,
                       "tenant": args.tenant_field, "embedding": args.embedding_field}
        self.constants = {"model": args.model, "quality": args.quality, "tenant": args.tenant}

    def values(self, record, text_only):
        out = []
        for name, path in (("request", self.request), ("response", self.response)):
            v = field(record, path)
            if v is None:
                raise ValueError("field '%s' (the %s) is missing or null" % (path, name))
            if not isinstance(v, str):
                raise ValueError("field '%s' (the %s) must be text; received %s" % (path, name, json.dumps(v)[:60]))
            out.append(v)
        for name in ("model", "quality", "tenant", "embedding"):
            path = self.fields[name]
            v = field(record, path) if path else None
            if text_only and v == "":
                v = None  # an empty CSV cell is an absent value
            if v is None:
                v = self.constants.get(name)
            if name == "quality" and v is not None:
                try:
                    v = float(v)
                except (TypeError, ValueError):
                    raise ValueError("field '%s' (the quality) must be a number from 0 to 1; received %s"
                                     % (path, json.dumps(v)[:60]))
            if name == "embedding" and isinstance(v, list):
                v = json.dumps(v)
            out.append(v)
        return out


def records(path, fmt, f, progress):
    """(row number, line number or None, record) of the file."""
    if fmt == "json":
        try:
            data = json.load(io.TextIOWrapper(f, encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise CliError("%s is not a valid JSON file: %s; nothing was imported" % (path, e), EXIT_BAD_DATA)
        if not isinstance(data, list):
            raise CliError("%s holds a JSON %s; expected an array of objects" % (path, type(data).__name__),
                           EXIT_BAD_DATA)
        progress.total = len(data)
        for i, rec in enumerate(data, 1):
            progress.done = i
            yield i, None, rec
        return
    lines = CountingLines(f)
    st = os.fstat(f.fileno())
    progress.total = st.st_size if stat.S_ISREG(st.st_mode) else 0  # a pipe: size unknown
    if fmt == "jsonl":
        row = 0
        for text in lines:
            progress.done = lines.bytes
            if not text.strip():
                continue
            row += 1
            try:
                yield row, lines.line, json.loads(text)
            except ValueError as e:
                raise BadRow(row, lines.line, "not valid JSON: %s" % e)
    else:
        reader = csv.DictReader(lines, strict=True)
        try:
            for row, rec in enumerate(reader, 1):
                progress.done = lines.bytes
                if None in rec:
                    raise BadRow(row, lines.line, "it has %d cells but the header names %d columns"
                                 % (len(reader.fieldnames) + len(rec[None]), len(reader.fieldnames)))
                yield row, lines.line, rec
        except csv.Error as e:
            raise BadRow(reader.line_num, lines.line, "malformed CSV: %s" % e)


def run_import(connect, args):
    """connect() opens the cache file: called once the input is open and its format known,
    so a missing or unreadable input creates no cache file."""
    path = args.file
    try:
        f = sys.stdin.buffer if path == "-" else open(path, "rb")
    except FileNotFoundError:
        raise CliError("%s: no such file; expected a JSONL, CSV or JSON file to import" % path, EXIT_INPUT)
    except OSError as e:
        raise CliError("%s: cannot be read: %s" % (path, e.strerror), EXIT_INPUT)
    with f:
        fmt = args.format if args.format != "auto" else detect_format(path, f.peek(64)[:64])
        mapping = Mapping(args)
        db = connect()
        progress = Progress(args.progress, unit="rows" if fmt == "json" else "bytes")
        table = '"%s"' % args.table.replace('"', '""')
        sql = "INSERT INTO %s(request, response, model, quality, tenant, embedding) VALUES (?, ?, ?, ?, ?, ?)" % table
        db.execute("BEGIN IMMEDIATE")
        count = 0
        try:
            exists = db.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?",
                                (args.table,)).fetchone()
            if not exists:
                db.execute("CREATE VIRTUAL TABLE %s USING iccache(%s)" % (table, args.create))
            for row, line, rec in records(path, fmt, f, progress):
                if not isinstance(rec, dict):
                    raise BadRow(row, line, "expected a JSON object; received %s" % json.dumps(rec)[:60])
                try:
                    values = mapping.values(rec, text_only=(fmt == "csv"))
                    db.execute(sql, values)
                except (ValueError, sqlite3.Error) as e:
                    raise BadRow(row, line, str(e))
                count += 1
                progress.rows = count
                progress.tick()
            db.execute("COMMIT")
        except BadRow as e:
            db.execute("ROLLBACK")
            progress.clear()
            raise CliError("%s: %s; nothing was imported" % (path, e), EXIT_BAD_DATA)
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            progress.clear()
            raise
        progress.finish()
        return count, progress.elapsed()
