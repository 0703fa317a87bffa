"""`iccache serve`: an OpenAI-compatible proxy in front of a small and a large model.

Before any worker starts: the cache table exists (created with the two models when it
does not) and routes between these two models; both upstreams (and the judge) answer
/v1/models and list their model, else a message says which one is missing and why. Then
the socket is bound here (so --port 0 picks a free port, printed as the first line), and
uvicorn serves serve_app.py on it with --workers processes on the one cache file.
"""
import json
import os
import socket
import sys
import tempfile

from . import __version__
from .errors import CliError, EXIT_INPUT, EXIT_SETUP

CONFIG_ENV = "ICCACHE_SERVE_CONFIG"  # the settings, JSON, for the worker processes (serve_app.py)

# Answers kept for client feedback that arrives later (POST /v1/feedback admits a good small-
# model answer, or corrects the quality of an admitted one). A plain table in the cache file,
# so that feedback reaching another worker, or a restarted server, still finds the answer.
ANSWERS_DDL = """CREATE TABLE IF NOT EXISTS iccache_serve_answers(
  tbl TEXT NOT NULL, decision INTEGER NOT NULL, request TEXT NOT NULL, answer TEXT NOT NULL,
  model TEXT NOT NULL, tenant TEXT NOT NULL, example INTEGER, created REAL NOT NULL,
  PRIMARY KEY (tbl, decision))"""
# Debian's python3-fastapi / python3-uvicorn / python3-httpx / python3-prometheus-client
# (scripts/install-deps.sh installs them).
PACKAGES = "python3-fastapi python3-uvicorn python3-httpx python3-prometheus-client"


# The numeric options: flag, default, metavar, what it is, a note after the default. The
# default is written once: argparse takes the type from it, and the help shows it.
NUMBER_OPTIONS = [
    ("--port", 8080, None, "TCP port to listen on", "0: any free port, printed on the first line"),
    ("--workers", 1, "N", "worker processes sharing the cache file", ""),
    ("--small-cost", 0.1, None, "cost of the small model in a new table", ""),
    ("--large-cost", 1.0, None, "cost of the large model in a new table", ""),
    ("--cost-weight", 0.0, None, "a new table's cost_weight: reward points one unit of cost is worth", ""),
    ("--large-share", 0.3, None, "every --maintain-every answers, calibrate the router so this share of recent "
     "decisions goes to the large model", "negative: never calibrate"),
    ("--maintain-every", 200, "N", "answers per worker between maintenance steps: calibrate, evict to the "
     "table's budget, prune kept answers", "0: never"),
    ("-k", 5, None, "examples selected per request", ""),
    ("--max-chars", 8000, None, "character budget of the request plus its examples", ""),
    ("--timeout", 120.0, None, "seconds to wait for an upstream; the small model past it falls back to the "
     "large one", ""),
]


def add_arguments(p):
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine "
                   "only; 0.0.0.0 for every interface)")
    p.add_argument("--small-url", required=True, metavar="URL",
                   help="OpenAI-compatible base URL of the small model, e.g. http://127.0.0.1:8001/v1")
    p.add_argument("--small-model", required=True, metavar="NAME", help="the small model's name at --small-url")
    p.add_argument("--large-url", required=True, metavar="URL", help="base URL of the large model")
    p.add_argument("--large-model", required=True, metavar="NAME", help="the large model's name at --large-url")
    p.add_argument("--judge-url", metavar="URL", help="base URL of an LLM judge that scores answers (default: "
                   "--large-url); without --judge-model, rewards come only from POST /v1/feedback")
    p.add_argument("--judge-model", metavar="NAME", help="the judge model; it is asked for 'Score: N' (0 to 10)")
    p.add_argument("--cluster", metavar="URL",
                   help="keep the cache in an iccache cluster, through `iccache-node http` at URL "
                        "(docs/scale-out.md), instead of the --db file")
    for flag, default, metavar, text, note in NUMBER_OPTIONS:
        p.add_argument(flag, type=type(default), default=default, metavar=metavar,
                       help="%s (default %%(default)s%s)" % (text, "; " + note if note else ""))
    p.add_argument("--create", default="", metavar="OPTIONS",
                   help="more options of the table when it does not exist yet, e.g. \"dim=256, budget='1GB'\"")
    p.add_argument("--api-key", default=os.environ.get("OPENAI_API_KEY"),
                   help="bearer token sent to the upstreams (default $OPENAI_API_KEY)")
    p.add_argument("--log-level", choices=["critical", "error", "warning", "info", "debug"], default="info",
                   help="uvicorn's log level (default info)")
    p.add_argument("--access-log", action="store_true", help="log one line per HTTP request")


def import_server_packages():
    try:
        import fastapi  # noqa: F401
        import httpx  # noqa: F401
        import prometheus_client  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as e:
        raise CliError("`iccache serve` needs FastAPI, uvicorn, httpx and prometheus_client (%s); on Debian: "
                       "apt-get install %s (or bash scripts/install-deps.sh), and run it with /usr/bin/python3"
                       % (e, PACKAGES), EXIT_SETUP)


def check_upstream(role, flag, url, model, timeout):
    """None when url/models lists model, else a sentence saying what is wrong and what to do."""
    import httpx
    hint = "" if url.endswith("/v1") else "; OpenAI-compatible base URLs end in /v1: try --%s-url %s/v1" % (flag, url)
    try:
        r = httpx.get(url + "/models", timeout=timeout)
    except httpx.HTTPError as e:
        return "the %s model's server %s cannot be reached (%s); start it or fix --%s-url" % (
            role, url, str(e) or e.__class__.__name__, flag)
    if r.status_code != 200:
        return "the %s model's server answered GET %s/models with HTTP %d%s" % (
            role, url, r.status_code, hint or "; expected an OpenAI-compatible server")
    try:
        ids = [m["id"] for m in r.json()["data"]]
    except (ValueError, KeyError, TypeError):
        return "GET %s/models did not answer an OpenAI model list%s" % (url, hint)
    if model not in ids:
        return "the %s model %s is not served at %s (it serves: %s); fix --%s-model or --%s-url" % (
            role, model, url, ", ".join(ids) or "nothing", flag, flag)
    return None


def ensure_table(db, args):
    """Creates the table with the two models, or checks an existing one routes between them."""
    table = args.table
    exists = db.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", (table,)).fetchone()
    if not exists:
        for m in (args.small_model, args.large_model):
            if "'" in m or "," in m:
                raise CliError("model name %r cannot be a table model name (no quotes or commas)" % m, EXIT_INPUT)
        opts = "models='%s:%g,%s:%g', cost_weight=%g" % (args.small_model, args.small_cost, args.large_model,
                                                          args.large_cost, args.cost_weight)
        if args.create.strip():
            opts += ", " + args.create
        db.execute('CREATE VIRTUAL TABLE "%s" USING iccache(%s)' % (table.replace('"', '""'), opts))
    db.execute(ANSWERS_DDL)
    models = db.execute("SELECT value FROM iccache_stats(?) WHERE key = 'models'", (table,)).fetchone()[0]
    arms = db.execute("SELECT key FROM iccache_stats(?) WHERE key LIKE 'arm.%.cost'", (table,)).fetchall()
    names = [k[4:-5] for (k,) in arms]
    missing = [m for m in (args.small_model, args.large_model) if m not in names]
    if missing:
        raise CliError("table %s of %s routes between the models %s, not %s; serve it with --small-model and "
                       "--large-model among those names, or use another --table (a new table is created with "
                       "the two models)" % (table, args.db, models, " and ".join(missing)), EXIT_INPUT)


def bind(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise CliError("cannot listen on %s:%d: %s; choose another --port (0: any free port)"
                       % (host, port, e.strerror), EXIT_SETUP)
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def supervisor_class():
    from uvicorn.supervisors import Multiprocess

    class Supervisor(Multiprocess):
        """uvicorn's Multiprocess, which waits for a signal only: this one also stops the
        server when a worker dies (a failed start, a crash), instead of serving on fewer
        workers or, with none left, hanging with connections queued."""

        def run_until_exit(self):
            self.startup()
            code = 0
            while not self.should_exit.wait(0.5):
                dead = [p for p in self.processes if not p.is_alive()]
                if dead:
                    print("iccache serve: worker %d exited with code %s; stopping the server"
                          % (dead[0].pid, dead[0].exitcode), file=sys.stderr, flush=True)
                    code = EXIT_SETUP
                    break
            self.shutdown()
            return code
    return Supervisor


def run_serve(db, args, extension):
    """db: a function opening the cache file (called once the checks have passed)."""
    # prometheus_client picks its multiprocess mode when first imported: the directory first.
    with tempfile.TemporaryDirectory(prefix="iccache-serve-metrics-") as metrics_dir:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        preflight(args)
        return serve_in(db(), args, extension)


def preflight(args):
    """The checks that need no cache file: packages, flags, upstreams. Run before the file
    is opened, so a failed start creates nothing."""
    import_server_packages()
    if args.workers < 1:
        raise CliError("--workers must be 1 or more; received %d" % args.workers, EXIT_INPUT)
    if args.db == ":memory:" and not args.cluster:
        raise CliError("--db :memory: cannot be shared by workers; give a cache file", EXIT_INPUT)
    args.small_url, args.large_url = args.small_url.rstrip("/"), args.large_url.rstrip("/")
    args.judge_url = (args.judge_url or args.large_url).rstrip("/")
    wait = min(args.timeout, 10.0)
    problems = [check_upstream("small", "small", args.small_url, args.small_model, wait),
                check_upstream("large", "large", args.large_url, args.large_model, wait)]
    if args.judge_model:
        problems.append(check_upstream("judge", "judge", args.judge_url, args.judge_model, wait))
    problems = [p for p in problems if p]
    if problems:
        raise CliError("; and ".join(problems), EXIT_SETUP)


def serve_in(db, args, extension):
    small_url, large_url, judge_url = args.small_url, args.large_url, args.judge_url
    if not args.cluster:
        db.execute("PRAGMA journal_mode=WAL")  # workers read while one writes
    ensure_table(db, args)
    db.close()

    import uvicorn
    Supervisor = supervisor_class()
    sock = bind(args.host, args.port)
    os.environ[CONFIG_ENV] = json.dumps({
        "db": args.db and os.path.abspath(args.db), "cluster": args.cluster, "table": args.table,
        "extension": extension,
        "small_url": small_url, "small_model": args.small_model,
        "large_url": large_url, "large_model": args.large_model,
        "judge_url": judge_url, "judge_model": args.judge_model, "api_key": args.api_key,
        "k": args.k, "max_chars": args.max_chars, "timeout": args.timeout,
        "large_share": args.large_share, "maintain_every": args.maintain_every, "version": __version__})
    config = uvicorn.Config("iccache_cli.serve_app:create_app", factory=True, workers=args.workers,
                            log_level=args.log_level, access_log=args.access_log, timeout_keep_alive=30)
    host = "[%s]" % args.host if ":" in args.host else args.host
    print("listening on http://%s:%d/v1 (cache %s, table %s, %d worker%s; small %s at %s, large %s at %s)"
          % (host, sock.getsockname()[1], args.cluster or args.db, args.table, args.workers, "s" if args.workers > 1 else "",
             args.small_model, small_url, args.large_model, large_url), flush=True)
    server = uvicorn.Server(config)
    if args.workers == 1:
        server.run(sockets=[sock])
        return 0 if server.started else EXIT_SETUP
    return Supervisor(config, target=server.run, sockets=[sock]).run_until_exit()

