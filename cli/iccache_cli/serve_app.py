"""The web app of `iccache serve`, one per worker process (serve.py starts them).

Per completion request: select examples and build the prompt (iccache_prompt), route
(iccache_route), call the chosen upstream (the small model gets the examples, the large one
the client's request unchanged), answer the client (streamed answers pass through as they
come), then, after the answer has gone out: judge it when a judge is configured, feed the
reward back (iccache_feedback) and admit the pair (INSERT) - the loop of
examples/serving_loop.py as a long-running server.

The settings come from serve.py through the environment (ICCACHE_SERVE_CONFIG, JSON),
since uvicorn starts its workers as fresh processes that import this module by name.
Every worker has its own SQLite connection on the same cache file (WAL, busy timeout,
BEGIN IMMEDIATE around writes), so several workers share one cache.
"""
import json
import logging
import os
import re
import sqlite3
import threading
import time

import anyio
import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from . import serve_metrics
from .serve import CONFIG_ENV

log = logging.getLogger("iccache.serve")

# The judge prompt of examples/openai_backend.py (the simulated judge of sim_server.py parses
# it); e2e serve_test checks the two stay the same.
JUDGE_TEMPLATE = (
    "Rate how well the answer solves the request, from 0 (wrong or useless) to 10 "
    "(correct and complete). Reply with 'Score: N' only.\n"
    "[Request]\n{request}\n[Answer]\n{answer}\n[End]"
)

ANSWERS_KEEP_SECONDS = 7 * 86400  # the router's default decision_ttl


def qname(name):
    return '"%s"' % name.replace('"', '""')


class HttpError(Exception):
    def __init__(self, status, message, kind="invalid_request_error"):
        super().__init__(message)
        self.status, self.kind = status, kind


def openai_error(status, message, kind="invalid_request_error"):
    return JSONResponse({"error": {"message": message, "type": kind, "code": status}}, status_code=status)


class Cache:
    """The worker's connection to the cache file. SQLite calls block, so they run on a thread
    (anyio), one at a time (the lock), never on the event loop."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.table = cfg["table"]
        self.lock = threading.Lock()
        if cfg.get("cluster"):  # `serve --cluster`: the same SQL through iccache-node http
            import iccache_cluster
            self.db = iccache_cluster.connect(cfg["cluster"])
            return
        self.db = sqlite3.connect(cfg["db"], isolation_level=None, check_same_thread=False)
        self.db.enable_load_extension(True)
        self.db.load_extension(cfg["extension"])
        self.db.enable_load_extension(False)
        self.db.execute("PRAGMA busy_timeout=%d" % cfg.get("busy_timeout_ms", 10000))
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.lock = threading.Lock()

    async def call(self, fn, *args):
        def locked():
            with self.lock:
                return fn(*args)
        return await anyio.to_thread.run_sync(locked)

    def write(self, fn, *args):
        """fn(*args) inside BEGIN IMMEDIATE ... COMMIT: the write lock first, so the busy
        timeout waits for another worker's writer instead of failing."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            out = fn(*args)
            self.db.execute("COMMIT")
            return out
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # -- the steps of a request -------------------------------------------------------------
    def prompt(self, request, tenant):
        # A NULL tenant is refused (never "every tenant"): pass it only when there is one.
        args = (self.table, request, self.cfg["k"], self.cfg["max_chars"])
        if tenant is not None:
            args += (tenant,)
        messages, prompt, ids = self.db.execute(
            "SELECT messages, prompt, example_ids FROM iccache_prompt(%s)"
            % ", ".join("?" * len(args)), args).fetchone()
        return json.loads(messages), prompt, ids

    def route(self, request, ids):
        return self.write(lambda: self.db.execute(
            "SELECT decision, model, want_feedback, shadow, load FROM iccache_route(?, ?, ?)",
            (self.table, request, ids)).fetchone())

    def shadow_feedback(self, decision, reward, arm):
        self.write(lambda: self.db.execute("SELECT iccache_feedback(?, ?, ?, ?)",
                                           (self.table, decision, reward, arm)))

    def load_threshold(self):
        row = self.db.execute("SELECT value FROM iccache_stats(?) WHERE key = 'load_threshold'",
                              (self.table,)).fetchone()
        return float(row[0]) if row and row[0] is not None else float("inf")

    def example_response(self, rowid):
        return self.db.execute("SELECT response FROM %s WHERE rowid = ?" % qname(self.table),
                               (rowid,)).fetchone()[0]

    def _admit(self, request, answer, model, quality, tenant):
        cur = self.db.execute("INSERT INTO %s(request, response, model, quality, tenant) VALUES (?, ?, ?, ?, ?)"
                              % qname(self.table), (request, answer, model, quality, tenant))
        return cur.lastrowid

    def finish(self, decision, request, answer, model, tenant, reward):
        """After the answer: the judge's reward (or None), then admission: judged-good answers,
        and unjudged large-model answers at quality 0.5 (not yet known); never the cache's own
        answer. Keeps the answer for later client feedback. Returns the admitted rowid or None."""
        def txn():
            if reward is not None:
                self.db.execute("SELECT iccache_feedback(?, ?, ?)", (self.table, decision, reward))
            example = None
            if model != "cache" and (reward >= 0.5 if reward is not None else model == self.cfg["large_model"]):
                example = self._admit(request, answer, model, 0.5 if reward is None else reward, tenant)
            if model != "cache":
                self.db.execute("INSERT OR REPLACE INTO iccache_serve_answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                (self.table, decision, request, answer, model, tenant, example, time.time()))
            return example
        return self.write(txn)

    def feedback(self, decision, reward):
        """Client feedback: the router's reward, then the answer's fate: an admitted answer
        takes the reward as its quality; a good one not yet admitted is admitted now."""
        def txn():
            self.db.execute("SELECT iccache_feedback(?, ?, ?)", (self.table, decision, reward))
            row = self.db.execute("SELECT request, answer, model, tenant, example FROM iccache_serve_answers"
                                  " WHERE tbl = ? AND decision = ?", (self.table, decision)).fetchone()
            if row is None:
                return None
            request, answer, model, tenant, example = row
            if example is not None:
                if self.db.execute("UPDATE %s SET quality = ? WHERE rowid = ?" % qname(self.table),
                                   (reward, example)).rowcount:
                    return example
                example = None  # evicted or deleted since
            if reward >= 0.5:
                example = self._admit(request, answer, model, reward, tenant)
                self.db.execute("UPDATE iccache_serve_answers SET example = ? WHERE tbl = ? AND decision = ?",
                                (example, self.table, decision))
            return example
        return self.write(txn)

    def maintain(self, large_share):
        """Every few hundred requests: prune old kept answers, calibrate the router to the
        target large-model share, evict to the table's byte budget."""
        def txn():
            self.db.execute("DELETE FROM iccache_serve_answers WHERE created < ?",
                            (time.time() - ANSWERS_KEEP_SECONDS,))
            if large_share is not None and large_share >= 0:
                self.db.execute("SELECT iccache_calibrate(?, ?)", (self.table, large_share))
            budget = self.db.execute("SELECT value FROM iccache_stats(?) WHERE key = 'budget'",
                                     (self.table,)).fetchone()
            if budget and budget[0]:
                self.db.execute("SELECT iccache_evict(?)", (self.table,))
        self.write(txn)

    def stats(self):
        return dict(self.db.execute("SELECT key, value FROM iccache_stats(?)", (self.table,)).fetchall())


# -- reading and writing OpenAI-style bodies ---------------------------------------------------
def content_text(content):
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def request_text(kind, body):
    if kind == "chat":
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
            raise HttpError(400, "'messages' must be a non-empty array of message objects")
        users = [m for m in messages if m.get("role") == "user"] or messages
        text = content_text(users[-1].get("content"))
    else:
        prompt = body.get("prompt")
        if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
            prompt = prompt[0]
        if not isinstance(prompt, str):
            raise HttpError(400, "'prompt' must be one string (iccache routes one request at a time)")
        text = prompt
    if not text.strip():
        raise HttpError(400, "the request has no text to select examples for (the last user message is empty)")
    return text


def with_examples(kind, body, examples_messages, prompt):
    """The body for the small model: the client's, with the selected examples. Chat: the
    example turns go after the leading system messages and before the conversation.
    Completions: iccache's few-shot text (Question:/Answer:), stopping at the next Question:."""
    out = dict(body)
    if kind == "chat":
        msgs = body["messages"]
        n = 0
        while n < len(msgs) and msgs[n].get("role") in ("system", "developer"):
            n += 1
        out["messages"] = msgs[:n] + examples_messages[:-1] + msgs[n:]
    else:
        out["prompt"] = prompt
        if not out.get("stop"):
            out["stop"] = ["\nQuestion:"]
    return out


def answer_of(kind, obj):
    try:
        choice = obj["choices"][0]
        return (choice["message"].get("content") or "") if kind == "chat" else (choice.get("text") or "").strip()
    except (KeyError, IndexError, TypeError, AttributeError):
        return None


def cache_answer(kind, model_name, text, stream):
    """A completion made of the top example's response (cache arm)."""
    ident, now = "iccache-cache-%d" % int(time.time() * 1e6), int(time.time())
    if kind == "chat":
        choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        delta = {"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        obj_kind = "chat.completion"
    else:
        choice = {"index": 0, "text": text, "finish_reason": "stop"}
        delta = choice
        obj_kind = "text_completion"
    if not stream:
        return {"id": ident, "object": obj_kind, "created": now, "model": model_name, "choices": [choice]}
    chunk = {"id": ident, "object": obj_kind + (".chunk" if kind == "chat" else ""), "created": now,
             "model": model_name, "choices": [delta]}
    return "data: %s\n\ndata: [DONE]\n\n" % json.dumps(chunk)


class SseText:
    """Collects the answer text from server-sent events as they pass through."""

    def __init__(self, kind):
        self.kind, self.buf, self.parts, self.done = kind, "", [], False

    def feed(self, chunk):
        self.buf += chunk.decode("utf-8", "replace")
        *lines, self.buf = self.buf.split("\n")
        for line in lines:
            line = line.strip()
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                self.done = True
                continue
            try:
                c = json.loads(data)["choices"][0]
                piece = c.get("delta", {}).get("content") if self.kind == "chat" else c.get("text")
            except (ValueError, KeyError, IndexError, TypeError, AttributeError):
                continue
            if piece:
                self.parts.append(piece)

    def text(self):
        t = "".join(self.parts)
        return t if self.kind == "chat" else t.strip()


# -- the app -----------------------------------------------------------------------------------
def create_app():
    cfg = json.loads(os.environ[CONFIG_ENV])
    cache = Cache(cfg)
    metrics = serve_metrics.Metrics()
    small, large = cfg["small_model"], cfg["large_model"]
    upstreams = {small: cfg["small_url"], large: cfg["large_url"]}
    headers = {"Authorization": "Bearer " + cfg["api_key"]} if cfg.get("api_key") else {}
    app = FastAPI(title="iccache serve", version=cfg.get("version", ""))
    state = {"client": None, "served": 0}

    @app.on_event("startup")
    async def startup():
        state["client"] = httpx.AsyncClient(timeout=httpx.Timeout(cfg["timeout"], connect=10.0),
                                            headers=headers)

    @app.on_event("shutdown")
    async def shutdown():
        await state["client"].aclose()

    async def judge(request, answer):
        if not cfg.get("judge_model"):
            return None
        try:
            r = await state["client"].post(cfg["judge_url"] + "/chat/completions", json={
                "model": cfg["judge_model"], "temperature": 0.0, "max_tokens": 16,
                "messages": [{"role": "user", "content": JUDGE_TEMPLATE.format(request=request, answer=answer)}]})
            r.raise_for_status()
            m = re.search(r"(\d+(?:\.\d+)?)", r.json()["choices"][0]["message"]["content"] or "")
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as e:
            log.warning("judge %s failed: %s; no reward for this answer", cfg["judge_model"], e)
            metrics.upstream_errors.labels(model=cfg["judge_model"]).inc()
            return None
        if not m:
            log.warning("judge %s answered without a score; expected 'Score: N'", cfg["judge_model"])
            return None
        return min(10.0, max(0.0, float(m.group(1)))) / 10.0

    async def run_shadow(kind, decision, text, body, examples_messages, prompt, shadow):
        """The router was unsure and named a runner-up arm: with a judge, and while the load is
        below load_threshold, run that arm too (off the user's path: after the answer) and
        feed its judged reward back (iccache_feedback with the arm), as serving_loop.py does."""
        path = "/chat/completions" if kind == "chat" else "/completions"
        shadow_body = dict(body, model=shadow, stream=False)
        if shadow == small:
            shadow_body = with_examples(kind, shadow_body, examples_messages, prompt)
        resp, err = await open_upstream(shadow, path, shadow_body)
        if resp is None:
            log.warning("decision %d: the shadow arm %s failed (%s)", decision, shadow, err)
            return
        try:
            answer = answer_of(kind, json.loads(await resp.aread()))
        except ValueError:
            answer = None
        finally:
            await resp.aclose()
        reward = await judge(text, answer) if answer is not None else None
        if reward is not None:
            await cache.call(cache.shadow_feedback, decision, reward, shadow)
            metrics.shadow_runs.inc()

    async def after_answer(decision, request, answer, model, tenant, shadow_run=None):
        """Runs after the answer has gone out: judge, feed back, admit, the shadow arm, maintain."""
        try:
            reward = await judge(request, answer) if answer is not None and model != "cache" else None
            if answer is None:
                return
            example = await cache.call(cache.finish, decision, request, answer, model, tenant, reward)
            if shadow_run is not None:
                await shadow_run()
            if reward is not None:
                metrics.feedback.labels(source="judge").inc()
            if example is not None:
                metrics.admitted.inc()
            state["served"] += 1
            if cfg["maintain_every"] > 0 and state["served"] % cfg["maintain_every"] == 0:
                await cache.call(cache.maintain, cfg.get("large_share"))
        except sqlite3.Error as e:
            log.warning("after decision %s: %s", decision, e)

    async def open_upstream(model, path, body):
        """(response, error): the upstream's response (streamed; the caller reads or closes
        it), or an error text when it cannot be reached or answers an error status."""
        client = state["client"]
        t0 = time.monotonic()
        try:
            resp = await client.send(client.build_request("POST", upstreams[model] + path, json=body), stream=True)
        except httpx.HTTPError as e:
            metrics.upstream_errors.labels(model=model).inc()
            return None, "%s%s: %s" % (upstreams[model], path, e.__class__.__name__ + (": %s" % e if str(e) else ""))
        if resp.status_code >= 400:
            detail = (await resp.aread()).decode("utf-8", "replace")[:500]
            await resp.aclose()
            metrics.upstream_errors.labels(model=model).inc()
            return None, "%s%s answered HTTP %d: %s" % (upstreams[model], path, resp.status_code, detail)
        metrics.upstream_seconds.labels(model=model).observe(time.monotonic() - t0)
        return resp, None

    async def complete(kind, raw: Request):
        t0 = time.monotonic()
        path = "/chat/completions" if kind == "chat" else "/completions"
        try:
            body = await raw.json()
        except ValueError as e:
            return openai_error(400, "the body is not JSON: %s" % e)
        if not isinstance(body, dict):
            return openai_error(400, "the body must be a JSON object")
        try:
            text = request_text(kind, body)
        except HttpError as e:
            return openai_error(e.status, str(e))
        tenant = raw.headers.get("x-iccache-tenant", "")
        stream = bool(body.get("stream"))
        # 1. select examples and build the prompt; 2. route
        try:
            t = time.monotonic()
            examples_messages, prompt, ids = await cache.call(cache.prompt, text, tenant or None)
            metrics.selection_seconds.observe(time.monotonic() - t)
            t = time.monotonic()
            decision, chosen, _want, shadow, load = await cache.call(cache.route, text, ids)
            if shadow is not None and cfg.get("judge_model") and load >= await cache.call(cache.load_threshold):
                shadow = None  # busy: no second generation now
            if not cfg.get("judge_model"):
                shadow = None  # nothing would judge the shadow's answer
            metrics.route_seconds.observe(time.monotonic() - t)
        except sqlite3.Error as e:
            metrics.requests.labels(endpoint=kind, model="none", outcome="error").inc()
            return openai_error(500, "iccache: %s" % e, "server_error")
        hdrs = {"x-iccache-decision": str(decision), "x-iccache-examples": ids}
        shadow_run = None
        if shadow is not None and shadow != "cache":
            def shadow_run():
                return run_shadow(kind, decision, text, body, examples_messages, prompt, shadow)

        def done(model, outcome):
            metrics.requests.labels(endpoint=kind, model=model, outcome=outcome).inc()
            metrics.request_seconds.labels(model=model).observe(time.monotonic() - t0)

        # the cache arm: the top example's response, verbatim
        if chosen == "cache":
            answer = await cache.call(cache.example_response, json.loads(ids)[0])
            hdrs["x-iccache-model"] = "cache"
            done("cache", "ok")
            task = BackgroundTask(after_answer, decision, text, answer, "cache", tenant)
            out = cache_answer(kind, body.get("model") or "iccache", answer, stream)
            if stream:
                return Response(out, media_type="text/event-stream", headers=hdrs, background=task)
            return JSONResponse(out, headers=hdrs, background=task)
        # 3. call the chosen upstream; the small model falls back to the large one
        served = chosen
        upstream_body = dict(body, model=chosen)
        if chosen == small:
            upstream_body = with_examples(kind, upstream_body, examples_messages, prompt)
        resp, err = await open_upstream(chosen, path, upstream_body)
        if resp is None and chosen == small:
            log.warning("decision %d: the small model failed (%s); falling back to %s", decision, err, large)
            metrics.fallbacks.inc()
            hdrs["x-iccache-fallback"] = small
            served = large
            resp, err = await open_upstream(large, path, dict(body, model=large))
        hdrs["x-iccache-model"] = served
        if served == shadow:
            shadow_run = None  # the fallback already served the runner-up
        if resp is None:
            done(served, "error")
            return openai_error(502, "iccache: the upstream failed: %s" % err, "upstream_error")
        if stream and resp.headers.get("content-type", "").startswith("text/event-stream"):
            sse = SseText(kind)

            async def relay():
                try:
                    async for chunk in resp.aiter_raw():
                        sse.feed(chunk)
                        yield chunk
                finally:
                    await resp.aclose()
                    done(served, "ok" if sse.done else "error")

            async def after_stream():
                await after_answer(decision, text, sse.text() if sse.done else None, served, tenant, shadow_run)
            return StreamingResponse(relay(), media_type="text/event-stream", headers=hdrs,
                                     background=BackgroundTask(after_stream))
        # 4. answer: the upstream's JSON, unchanged
        content = await resp.aread()
        await resp.aclose()
        try:
            obj = json.loads(content)
        except ValueError:
            done(served, "error")
            return openai_error(502, "iccache: %s did not answer JSON" % upstreams[served], "upstream_error")
        done(served, "ok")
        answer = answer_of(kind, obj)
        return JSONResponse(obj, headers=hdrs, background=BackgroundTask(after_answer, decision, text, answer, served,
                                                                         tenant, shadow_run))

    @app.post("/v1/chat/completions")
    async def chat_completions(raw: Request):
        return await complete("chat", raw)

    @app.post("/v1/completions")
    async def completions(raw: Request):
        return await complete("completions", raw)

    @app.get("/v1/models")
    async def models():
        now = int(time.time())
        return {"object": "list", "data": [{"id": m, "object": "model", "created": now, "owned_by": "iccache"}
                                           for m in ("iccache", small, large)]}

    @app.post("/v1/feedback")
    async def feedback(raw: Request):
        try:
            body = await raw.json()
        except ValueError as e:
            return openai_error(400, "the body is not JSON: %s" % e)
        decision = body.get("decision") if isinstance(body, dict) else None
        reward = body.get("reward") if isinstance(body, dict) else None
        if isinstance(decision, str) and decision.isdigit():
            decision = int(decision)  # as read from the x-iccache-decision header
        if not isinstance(decision, int) or isinstance(decision, bool):
            return openai_error(400, "expected {\"decision\": id, \"reward\": 0..1} with the id from the "
                                     "x-iccache-decision header; 'decision' is %s" % json.dumps(decision))
        if not isinstance(reward, (int, float)) or isinstance(reward, bool) or not 0 <= reward <= 1:
            return openai_error(400, "'reward' must be a number from 0 to 1; received %s" % json.dumps(reward))
        try:
            example = await cache.call(cache.feedback, decision, float(reward))
        except sqlite3.Error as e:
            msg = str(e)
            status = 404 if "has no decision" in msg else 409 if "already has a reward" in msg else 400
            return openai_error(status, msg)
        metrics.feedback.labels(source="client").inc()
        if example is not None:
            metrics.admitted.inc()
        return {"decision": decision, "reward": reward, "example": example}

    @app.get("/healthz")
    async def healthz():
        try:
            stats = await cache.call(cache.stats)
        except sqlite3.Error as e:
            return JSONResponse({"status": "error", "error": str(e)}, status_code=503)
        return {"status": "ok", "pid": os.getpid(), "table": cache.table, "examples": int(stats["examples"]),
                "models": stats["models"]}

    @app.get("/metrics")
    async def metrics_endpoint():
        try:
            stats = await cache.call(cache.stats)
        except sqlite3.Error:
            stats = {}
        body, content_type = serve_metrics.render(stats, small)
        return Response(body, media_type=content_type)

    return app
