#!/usr/bin/env python3
"""The simulated pair of models (sim_models.py) behind an OpenAI-compatible HTTP API, so the
serving loop's HTTP mode can be tried and tested with nothing installed:

    python3 examples/sim_server.py --port 8000 &
    /usr/bin/python3 examples/serving_loop.py --backend http --base-url http://127.0.0.1:8000/v1 \
        --small-model sim-small --large-model sim-large --judge-model sim-judge

Serves GET /v1/models, POST /v1/chat/completions and POST /v1/completions (the subset vLLM's
server offers that the loop and `iccache serve` use), with `"stream": true` as server-sent
events (one chunk per word, then `data: [DONE]`, as vLLM sends them). Binds 127.0.0.1 only. With --port 0 it picks a free port;
either way its first line on stdout is "listening on http://127.0.0.1:PORT/v1".
"""
import argparse
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sim_models  # noqa: E402
from openai_backend import JUDGE_RE  # noqa: E402


class Handler(BaseHTTPRequestHandler):
    world = None  # set by main
    counter = 0

    def log_message(self, fmt, *args):  # quiet: the loop's output is what matters
        pass

    def _send(self, code, obj):
        body = json.dumps(obj).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, code, message):
        self._send(code, {"error": {"message": message, "type": "invalid_request_error", "code": code}})

    def do_GET(self):
        if self.path.rstrip("/") == "/v1/models":
            models = [sim_models.SMALL, sim_models.LARGE, sim_models.JUDGE]
            self._send(200, {"object": "list", "data": [
                {"id": m, "object": "model", "owned_by": "iccache-sim"} for m in models]})
        else:
            self._error(404, "no route GET %s" % self.path)

    def do_POST(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
        except ValueError as e:
            return self._error(400, "the body is not JSON: %s" % e)
        path = self.path.rstrip("/")
        model = body.get("model")
        try:
            if path == "/v1/chat/completions":
                text = self._chat(model, body.get("messages") or [])
                choice = {"index": 0, "message": {"role": "assistant", "content": text},
                          "finish_reason": "stop"}
                kind = "chat.completion"
            elif path == "/v1/completions":
                pairs, request = sim_models.examples_from_prompt(body.get("prompt") or "")
                text = self.world.generate(model, request, pairs)
                choice = {"index": 0, "text": " " + text, "finish_reason": "stop"}
                kind = "text_completion"
            else:
                return self._error(404, "no route POST %s" % self.path)
        except ValueError as e:
            return self._error(404 if "unknown simulated model" in str(e) else 400, str(e))
        Handler.counter += 1
        if body.get("stream"):
            return self._stream("sim-%d" % Handler.counter, kind, model, choice)
        self._send(200, {"id": "sim-%d" % Handler.counter, "object": kind, "created": int(time.time()),
                         "model": model, "choices": [choice],
                         "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}})

    def _stream(self, ident, kind, model, choice):
        """The answer as server-sent events: a chunk per word (the chat form sends the role
        first, as OpenAI's API does), a last chunk with finish_reason, then data: [DONE]."""
        chat = kind == "chat.completion"
        text = choice["message"]["content"] if chat else choice["text"]
        words = text.split(" ")
        deltas = ([{"role": "assistant", "content": ""}] if chat else []) + [
            {"content": w if i == 0 else " " + w} for i, w in enumerate(words)]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()  # HTTP/1.0: the end of the stream is the end of the connection

        def event(delta, finish):
            c = {"index": 0, "finish_reason": finish}
            if chat:
                c["delta"] = delta
            else:
                c["text"] = delta.get("content", "")
            obj = {"id": ident, "object": kind + ".chunk" if chat else kind, "created": int(time.time()),
                   "model": model, "choices": [c]}
            self.wfile.write(("data: %s\n\n" % json.dumps(obj)).encode("utf-8"))

        for d in deltas:
            event(d, None)
        event({}, "stop")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _chat(self, model, messages):
        if model == sim_models.JUDGE:
            m = JUDGE_RE.search(messages[-1]["content"] if messages else "")
            if not m:
                raise ValueError("the judge expects the judge template of openai_backend.py")
            return "Score: %d" % round(10 * self.world.judge(m.group(1), m.group(2)))
        pairs, request = sim_models.examples_from_messages(messages)
        return self.world.generate(model, request, pairs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=8000, help="TCP port on 127.0.0.1 (0: any free port)")
    ap.add_argument("--seed", type=int, default=7, help="seed of the simulated models")
    args = ap.parse_args()
    Handler.world = sim_models.SimWorld(seed=args.seed)
    server = HTTPServer(("127.0.0.1", args.port), Handler)
    print("listening on http://127.0.0.1:%d/v1" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
