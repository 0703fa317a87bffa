"""The iccache command: import, export, stats, select, prompt and evict on a cache file.

Python standard library only, like examples/serving_loop.py: csv and json parsing are
the standard library's (quoting, escapes, UTF-8 all handled), and the per-row cost is the
extension's embedding and insert, not the Python around it (docs/performance.md).
"""
import argparse
import glob
import os
import sqlite3
import sys

from . import commands, importer
from .errors import CliError, EXIT_INTERRUPTED, EXIT_SETUP, EXIT_SQL


def find_extension(explicit, script_dir):
    """--extension, $ICCACHE_EXTENSION, then next to an installed or an in-tree command."""
    if explicit:
        return explicit
    if os.environ.get("ICCACHE_EXTENSION"):
        return os.environ["ICCACHE_EXTENSION"]
    prefix = os.path.dirname(script_dir)
    candidates = (glob.glob(os.path.join(prefix, "lib*", "iccache", "iccache.so")) +  # cmake --install
                  glob.glob(os.path.join(prefix, "lib", "*", "iccache", "iccache.so")) +  # Debian multiarch
                  [os.path.join(prefix, "build", "iccache.so")])  # the source tree after scripts/build.sh
    for c in candidates:
        if os.path.exists(c):
            return c
    raise CliError("cannot find iccache.so (looked in %s); build it with scripts/build.sh, or pass "
                   "--extension PATH or set ICCACHE_EXTENSION" % ", ".join(candidates), EXIT_SETUP)


def connect(args, script_dir):
    if not hasattr(sqlite3.Connection, "enable_load_extension"):
        raise CliError("this Python's sqlite3 module cannot load extensions (%s); run the command with "
                       "Debian's /usr/bin/python3" % sys.executable, EXIT_SETUP)
    ext = find_extension(args.extension, script_dir)
    db = sqlite3.connect(args.db, isolation_level=None)
    db.enable_load_extension(True)
    try:
        db.load_extension(ext)
    except sqlite3.OperationalError as e:
        raise CliError("cannot load the iccache extension %s: %s" % (ext, e), EXIT_SETUP)
    db.enable_load_extension(False)
    db.execute("PRAGMA busy_timeout=5000")
    return db


def parser():
    ap = argparse.ArgumentParser(prog="iccache", description="Work with an iccache cache file.")
    ap.add_argument("--db", required=True, help="the SQLite file holding the cache")
    ap.add_argument("--table", default="ex", help="the iccache table (default ex)")
    ap.add_argument("--extension", help="path of iccache.so (default: found next to this command)")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="import examples from JSONL, CSV or a JSON array, in one transaction")
    p.add_argument("file")
    p.add_argument("--format", choices=["auto", "jsonl", "csv", "json"], default="auto")
    p.add_argument("--request-field", default="request", help="field with the request (dotted for nested JSON)")
    p.add_argument("--response-field", default="response")
    p.add_argument("--model-field", default="model")
    p.add_argument("--quality-field", default="quality")
    p.add_argument("--tenant-field", default="tenant")
    p.add_argument("--embedding-field", default="embedding", help="JSON array of numbers (optional)")
    p.add_argument("--model", help="model for rows without a model field (default: the table's most expensive)")
    p.add_argument("--quality", type=float, help="quality for rows without one (default 0.5)")
    p.add_argument("--tenant", help="tenant for rows without one (default '')")
    p.add_argument("--create", default="", metavar="OPTIONS",
                   help="options of the table when it does not exist yet, e.g. \"dim=256, budget='1GB'\"")
    p.add_argument("--progress", choices=["auto", "always", "never"], default="auto",
                   help="progress bar on stderr (auto: only on a terminal)")

    p = sub.add_parser("export", help="write every example as JSONL or CSV")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("-o", "--output", help="file to write (default stdout)")

    sub.add_parser("stats", help="counts, bytes, router and load state (iccache_stats)")

    for name, help_text in (("select", "the examples a request would get"),
                            ("prompt", "the prompt iccache_prompt builds for a request")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("text")
        p.add_argument("-k", type=int, default=5)
        p.add_argument("--tenant")
        if name == "select":
            p.add_argument("--json", action="store_true")
        else:
            p.add_argument("--max-chars", type=int, default=8000)
            p.add_argument("--completion", action="store_true", help="the few-shot text instead of messages")

    p = sub.add_parser("evict", help="knapsack eviction to the table's budget or to BUDGET")
    p.add_argument("budget", nargs="?", help="e.g. 256MB (default: the table's budget option)")
    return ap


def main(argv, script_dir):
    args = parser().parse_args(argv)
    try:
        db = connect(args, script_dir)
        if args.command == "import":
            n, secs = importer.run_import(db, args)
            print("imported %d examples into %s (%s) in %.2f s (%.0f rows/s)"
                  % (n, args.table, args.db, secs, n / secs if secs > 0 else 0))
        elif args.command == "export":
            n = commands.run_export(db, args)
            if args.output:
                print("exported %d examples to %s" % (n, args.output))
        else:
            getattr(commands, "run_" + args.command)(db, args)
        return 0
    except CliError as e:
        print("iccache %s: %s" % (args.command, e), file=sys.stderr)
        return e.code
    except sqlite3.Error as e:
        print("iccache %s: %s" % (args.command, e), file=sys.stderr)
        return EXIT_SQL
    except KeyboardInterrupt:
        print("\niccache %s: interrupted%s" % (args.command, "; nothing was imported" if args.command == "import"
                                                else ""), file=sys.stderr)
        return EXIT_INTERRUPTED
