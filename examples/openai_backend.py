"""Backends of the serving loop: an OpenAI-compatible HTTP server (vLLM's
`vllm serve`, or any server speaking /v1/chat/completions and /v1/completions) and the
in-process simulation (sim_models.py). Python standard library only.

A backend has generate(model, messages, prompt) -> answer text and judge(request, answer)
-> reward in [0, 1] (or None when it cannot judge).
"""
import json
import re
import urllib.error
import urllib.request

import sim_models

# The judge prompt: an LLM-as-judge asked for one score from 0 to 10. sim_server.py parses
# the same markers to answer it with the simulated judge.
JUDGE_TEMPLATE = (
    "Rate how well the answer solves the request, from 0 (wrong or useless) to 10 "
    "(correct and complete). Reply with 'Score: N' only.\n"
    "[Request]\n{request}\n[Answer]\n{answer}\n[End]"
)
JUDGE_RE = re.compile(r"\[Request\]\n(.*)\n\[Answer\]\n(.*)\n\[End\]\Z", re.S)


class BackendError(Exception):
    pass


class HttpBackend:
    """Calls an OpenAI-compatible server. api='chat' sends the messages from iccache_prompt
    to /chat/completions; api='completions' sends its few-shot text to /completions."""

    def __init__(self, base_url, api="chat", api_key=None, judge_model=None, max_tokens=512,
                 temperature=0.0, timeout=120.0, judge_url=None):
        self.base_url = base_url.rstrip("/")
        self.judge_url = (judge_url or base_url).rstrip("/")  # the judge may live elsewhere
        self.api = api
        self.api_key = api_key
        self.judge_model = judge_model
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.timeout = timeout

    def _post(self, path, body, base=None):
        base = base or self.base_url
        req = urllib.request.Request(base + path, data=json.dumps(body).encode("utf-8"),
                                     headers={"Content-Type": "application/json"})
        if self.api_key:
            req.add_header("Authorization", "Bearer " + self.api_key)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace")[:500]
            raise BackendError("%s%s answered HTTP %d: %s" % (base, path, e.code, detail))
        except (urllib.error.URLError, OSError) as e:
            raise BackendError("cannot reach %s%s: %s" % (base, path, e))
        except ValueError as e:
            raise BackendError("%s%s did not answer JSON: %s" % (base, path, e))

    def chat(self, model, messages, temperature=None, base=None):
        out = self._post("/chat/completions", {
            "model": model, "messages": messages, "max_tokens": self.max_tokens,
            "temperature": self.temperature if temperature is None else temperature}, base)
        try:
            return out["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            raise BackendError("unexpected /chat/completions answer: %.300s" % json.dumps(out))

    def complete(self, model, prompt, temperature=None):
        out = self._post("/completions", {
            "model": model, "prompt": prompt, "max_tokens": self.max_tokens,
            "temperature": self.temperature if temperature is None else temperature,
            "stop": ["\nQuestion:"]})  # the few-shot template's next turn (docs/sql-reference.md)
        try:
            return (out["choices"][0]["text"] or "").strip()
        except (KeyError, IndexError, TypeError):
            raise BackendError("unexpected /completions answer: %.300s" % json.dumps(out))

    def generate(self, model, messages, prompt, temperature=None):
        if self.api == "completions":
            return self.complete(model, prompt, temperature)
        return self.chat(model, messages, temperature)

    def judge(self, request, answer):
        if not self.judge_model:
            return None
        text = self.chat(self.judge_model, [{"role": "user", "content": JUDGE_TEMPLATE.format(
            request=request, answer=answer)}], temperature=0.0, base=self.judge_url)
        m = re.search(r"(\d+(?:\.\d+)?)", text)
        if not m:
            raise BackendError("the judge %s answered %r; expected 'Score: N' with N from 0 to 10"
                               % (self.judge_model, text[:100]))
        return min(10.0, max(0.0, float(m.group(1)))) / 10.0


class SimBackend:
    """The seeded simulated pair in-process (no HTTP)."""

    def __init__(self, world):
        self.world = world

    def generate(self, model, messages, prompt, temperature=None):
        examples, request = sim_models.examples_from_messages(messages)
        return self.world.generate(model, request, examples)

    def judge(self, request, answer):
        return self.world.judge(request, answer)
