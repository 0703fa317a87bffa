"""The iccache command: import, export, stats, select, prompt, evict, optimize and serve on a
cache file.

Python standard library only (but `serve`: FastAPI, uvicorn, httpx, prometheus_client, Debian
packages, imported only by it), like examples/serving_loop.py: csv and json parsing are
the standard library's (quoting, escapes, UTF-8 all handled), and the per-row cost is the
extension's embedding and insert, not the Python around it (docs/performance.md).
"""
import argparse
import glob
import os
import signal
import sqlite3
import sys
import urllib.parse

from . import __version__, commands, importer, serve
from .errors import CliError, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_SETUP, EXIT_SQL


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


# Commands that may create the cache file; the others open an existing file only, so a
# mistyped path is an error instead of a new empty file.
CREATING = ("import", "serve")


def connect(args, script_dir, extension=None):
    if not hasattr(sqlite3.Connection, "enable_load_extension"):
        raise CliError("this Python's sqlite3 module cannot load extensions (%s); run the command with "
                       "Debian's /usr/bin/python3" % sys.executable, EXIT_SETUP)
    ext = extension or find_extension(args.extension, script_dir)
    if args.command in CREATING or args.db == ":memory:":
        db = sqlite3.connect(args.db, isolation_level=None, check_same_thread=False)
    else:
        if not os.path.exists(args.db):
            raise CliError("%s: no such cache file; create one with `iccache --db %s import FILE` (or check the "
                           "path)" % (args.db, args.db), EXIT_INPUT)
        db = sqlite3.connect("file:%s?mode=rw" % urllib.parse.quote(os.path.abspath(args.db)),
                             isolation_level=None, uri=True, check_same_thread=False)
    db.enable_load_extension(True)
    try:
        db.load_extension(ext)
    except sqlite3.OperationalError as e:
        raise CliError("cannot load the iccache extension %s: %s" % (ext, e), EXIT_SETUP)
    db.enable_load_extension(False)
    db.execute("PRAGMA busy_timeout=5000")
    return db


def add_global_options(p, defaults):
    """--db, --table and --extension, accepted before or after the subcommand: the main
    parser holds the defaults; each subcommand's copy sets a value only when given."""
    d = (lambda v: v) if defaults else (lambda v: argparse.SUPPRESS)
    p.add_argument("--db", default=d(None), metavar="FILE", help="the SQLite file holding the cache (required)")
    p.add_argument("--table", default=d("ex"), help="the iccache table (default ex)")
    p.add_argument("--extension", default=d(None), metavar="PATH",
                   help="path of iccache.so (default: $ICCACHE_EXTENSION, else found next to this command)")


def parser():
    ap = argparse.ArgumentParser(prog="iccache", description="Work with an iccache cache file: import and export "
                                 "examples, look at what selection and routing do, serve an OpenAI-compatible "
                                 "proxy. Options --db, --table and --extension go before or after the command.")
    add_global_options(ap, True)
    ap.add_argument("--version", action="version", version="iccache %s" % __version__,
                    help="print the version and exit")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND",
                            help="what to do (iccache COMMAND --help shows its options)")
    glob_opts = argparse.ArgumentParser(add_help=False)
    add_global_options(glob_opts, False)

    def command(name, help_text):
        return sub.add_parser(name, help=help_text, description=help_text, parents=[glob_opts])

    p = command("import", "import examples from JSONL, CSV or a JSON array, in one transaction")
    p.add_argument("file", help="the file to import; - reads standard input")
    p.add_argument("--format", choices=["auto", "jsonl", "csv", "json"], default="auto",
                   help="auto (default): from the file name (.jsonl/.ndjson, .csv, .json); on standard input "
                        "from the first character ([ JSON array, { JSONL)")
    p.add_argument("--request-field", default="request",
                   help="where the request is: a field name, or an SQLite JSON path such as "
                        "$.messages[0].content (default request)")
    p.add_argument("--response-field", default="response", help="where the response is (default response)")
    p.add_argument("--model-field", default="model", help="where the model name is (default model)")
    p.add_argument("--quality-field", default="quality", help="where the quality from 0 to 1 is (default quality)")
    p.add_argument("--tenant-field", default="tenant", help="where the tenant is (default tenant)")
    p.add_argument("--embedding-field", default="embedding",
                   help="where a precomputed embedding is, a JSON array of numbers (optional; default embedding)")
    p.add_argument("--model", help="model for rows without a model field (default: the table's most expensive)")
    p.add_argument("--quality", type=float, help="quality for rows without one (default 0.5)")
    p.add_argument("--tenant", help="tenant for rows without one (default '')")
    p.add_argument("--create", default="", metavar="OPTIONS",
                   help="options of the table when it does not exist yet, e.g. \"dim=256, budget='1GB'\"")
    p.add_argument("--progress", choices=["auto", "always", "never"], default="auto",
                   help="progress bar on stderr (auto: only on a terminal)")

    p = command("export", "write every example as JSONL or CSV")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="jsonl (default) or csv with a header")
    p.add_argument("-o", "--output", metavar="FILE", help="file to write (default, or -: standard output)")

    p = command("stats", "counts, bytes, router and load state (iccache_stats)")
    p.add_argument("--json", action="store_true", help="one JSON object instead of a table")

    for name, help_text in (("select", "the examples a request would get"),
                            ("prompt", "the prompt iccache_prompt builds for a request")):
        p = command(name, help_text)
        p.add_argument("text", help="the request; - reads it from standard input")
        p.add_argument("-k", type=int, default=5, help="at most this many examples (default 5)")
        p.add_argument("--tenant", help="only examples of this tenant (default: every tenant)")
        if name == "select":
            p.add_argument("--json", action="store_true", help="a JSON array instead of a table")
        else:
            p.add_argument("--max-chars", type=int, default=8000,
                           help="character budget of the request plus examples (default 8000; 0: none)")
            p.add_argument("--completion", action="store_true", help="the few-shot text instead of messages")

    p = command("evict", "knapsack eviction to the table's budget or to BUDGET")
    p.add_argument("budget", nargs="?", help="e.g. 256MB (default: the table's budget option)")

    p = command("optimize", "train the IVF index now (k-means, assignment, SQ8, nprobe), with a progress bar")
    p.add_argument("--progress", choices=["auto", "always", "never"], default="auto",
                   help="progress bar on stderr (auto: only on a terminal)")

    p = command("serve", "an OpenAI-compatible proxy routing between a small and a large model")
    serve.add_arguments(p)
    return ap


def read_stdin_text(args):
    if getattr(args, "text", None) == "-":
        args.text = sys.stdin.read().rstrip("\n")


def main(argv, script_dir):
    args = parser().parse_args(argv)
    if not args.db and not getattr(args, "cluster", None):
        parser().error("--db FILE is required (before or after the command), e.g. iccache --db cache.db %s"
                       % args.command)
    if args.command != "serve":
        # A closed pipe (`iccache export | head`) ends the command quietly, as it does cat.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        read_stdin_text(args)
        if args.command == "serve":  # opens the file itself, once the upstreams are checked
            if args.cluster:  # the cache is in an iccache cluster (docs/scale-out.md)
                import iccache_cluster
                return serve.run_serve(lambda: iccache_cluster.connect(args.cluster), args, None)
            ext = find_extension(args.extension, script_dir)
            return serve.run_serve(lambda: connect(args, script_dir, ext), args, ext)
        if args.command == "import":  # opens the file once the input is known to be readable
            n, secs = importer.run_import(lambda: connect(args, script_dir), args)
            print("imported %d examples into %s (%s) in %.2f s (%.0f rows/s)"
                  % (n, args.table, args.db, secs, n / secs if secs > 0 else 0))
            return 0
        db = connect(args, script_dir)
        if args.command == "export":
            n = commands.run_export(db, args)
            if args.output and args.output != "-":
                print("exported %d examples to %s" % (n, args.output))
        elif args.command == "optimize":
            commands.run_optimize(db, args, connect(args, script_dir))
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
