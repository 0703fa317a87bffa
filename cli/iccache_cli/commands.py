"""The read and maintenance commands: export, stats, select, prompt, evict, optimize."""
import csv
import json
import sqlite3
import sys
import threading

from .errors import CliError, EXIT_INPUT
from .progress import Progress

EXPORT_COLUMNS = ["rowid", "request", "response", "model", "quality", "tenant", "created_at", "uses",
                  "offloads", "gain"]


def qtable(name):
    return '"%s"' % name.replace('"', '""')


def run_export(db, args):
    """Every example in rowid order, as JSONL (one object per line) or CSV with a header.
    The field names are those `import` reads by default, so an export imports back."""
    try:
        to_file = args.output and args.output != "-"
        out = open(args.output, "w", encoding="utf-8", newline="") if to_file else sys.stdout
    except OSError as e:
        raise CliError("%s: cannot be written: %s" % (args.output, e.strerror), EXIT_INPUT)
    cur = db.execute("SELECT %s FROM %s ORDER BY rowid" % (", ".join(EXPORT_COLUMNS), qtable(args.table)))
    names = ["id"] + EXPORT_COLUMNS[1:]
    n = 0
    try:
        if args.format == "csv":
            w = csv.writer(out)
            w.writerow(names)
            for row in cur:
                w.writerow(row)
                n += 1
        else:
            for row in cur:
                out.write(json.dumps(dict(zip(names, row)), ensure_ascii=False) + "\n")
                n += 1
    finally:
        if to_file:
            out.close()
    return n


def run_stats(db, args):
    rows = db.execute("SELECT key, value FROM iccache_stats(?)", (args.table,)).fetchall()
    if args.json:
        print(json.dumps(dict(rows), ensure_ascii=False, indent=1))
        return
    width = max(len(k) for k, _ in rows)
    print("%-*s  %s" % (width, "key", "value"))
    for k, v in rows:
        print("%-*s  %s" % (width, k, "NULL" if v is None else v))


def run_select(db, args):
    sql = "SELECT rowid, similarity, request, response FROM %s WHERE %s MATCH ? AND k = ?" % (
        qtable(args.table), qtable(args.table))
    params = [args.text, args.k]
    if args.tenant is not None:
        sql += " AND tenant = ?"
        params.append(args.tenant)
    rows = db.execute(sql, params).fetchall()
    if args.json:
        print(json.dumps([{"id": r[0], "similarity": r[1], "request": r[2], "response": r[3]} for r in rows],
                         ensure_ascii=False, indent=1))
        return
    print("%8s  %-5s  %s" % ("id", "sim", "request"))
    for rowid, sim, req, _ in rows:
        one_line = " ".join(req.split())
        print("%8d  %.3f  %s" % (rowid, sim, one_line if len(one_line) <= 90 else one_line[:87] + "..."))


def run_prompt(db, args):
    # A NULL tenant is refused (never "every tenant"): pass the argument only when given.
    params = (args.table, args.text, args.k, args.max_chars)
    if args.tenant is not None:
        params += (args.tenant,)
    messages, prompt, ids = db.execute(
        "SELECT messages, prompt, example_ids FROM iccache_prompt(%s)"
        % ", ".join("?" * len(params)), params).fetchone()
    if args.completion:
        print(prompt)
    else:
        print(json.dumps(json.loads(messages), ensure_ascii=False, indent=1))
    print("examples: %s" % ids, file=sys.stderr)


def run_evict(db, args):
    if args.budget is None:
        out = db.execute("SELECT iccache_evict(?)", (args.table,)).fetchone()[0]
    else:
        out = db.execute("SELECT iccache_evict(?, ?)", (args.table, args.budget)).fetchone()[0]
    print(out)


def training_progress(db, table):
    """(share done or None, phase or None) from the training rows of iccache_stats, where
    the extension reports them (training_progress from 0 to 1, training_phase)."""
    rows = dict(db.execute("SELECT key, value FROM iccache_stats(?) WHERE key LIKE 'training%'", (table,)).fetchall())
    share = rows.get("training_progress")
    try:
        share = float(share) if share is not None else None
    except (TypeError, ValueError):
        share = None
    return share, rows.get("training_phase")


def run_optimize(db, args, reader=None):
    """Trains the index (INSERT INTO t(t) VALUES('optimize')) on a thread while the bar is
    drawn: the share done where iccache_stats reports training progress (read on a second
    connection), else the elapsed time."""
    n = db.execute("SELECT count(*) FROM %s" % qtable(args.table)).fetchone()[0]
    progress = Progress(args.progress, unit="rows")
    progress.rows = n
    outcome = {}

    def work():
        try:
            db.execute("INSERT INTO %s(%s) VALUES('optimize')" % (qtable(args.table), qtable(args.table)))
        except BaseException as e:  # reported on the main thread
            outcome["error"] = e

    t = threading.Thread(target=work, daemon=True)
    t.start()
    while t.is_alive():
        t.join(0.1)
        if reader is not None and progress.on:
            try:
                share, phase = training_progress(reader, args.table)
            except sqlite3.Error:
                share, phase = None, None
            if share is not None:
                progress.total, progress.done = 1.0, share
            progress.label = phase
        progress.tick()
    if "error" in outcome:
        progress.clear()
        raise outcome["error"]
    progress.total = progress.done = 1.0
    progress.finish()
    print("optimized %s: %d examples in %.2f s" % (args.table, n, progress.elapsed()))
