"""A seeded, simulated pair of models (and a judge) so the serving loop runs with nothing
installed. Python standard library only. examples/serving_loop.cpp implements the same rules.

The world: the shipped GSM8K sample (examples/data/gsm8k_sample.json, 2,000 problems with
worked answers ending in "#### <number>").

- Traffic: request i is one of the first `distinct` problems, drawn with Zipf(1.1)
  popularity, paraphrased by dropping about 15% of its words (never a word with a digit).
- "sim-large" answers correctly with probability 0.90 (the problem's worked answer), else
  the same working with a wrong final number.
- "sim-small" alone answers correctly with probability 0.30. In-context examples lift it:
  p = 0.30 + 0.60 * ramp(j), where j is the word Jaccard similarity between the request and
  the most similar example whose answer carries the request's correct final number, and
  ramp(j) = clamp((j - 0.2) / 0.4, 0, 1). Unrelated or wrong examples do not help. This is
  an assumption in the spirit of the paper (well-chosen examples from a large model make a
  small model markedly better), not a measurement.
- The judge: reward 1 when the answer's final number equals the problem's, else 0.
- Every draw comes from splitmix64 of (seed, model, request, attempt), so a run repeats
  exactly, and asking again (a replay) gives a fresh draw.
"""
import json
import os
import re

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "gsm8k_sample.json")
SMALL, LARGE, JUDGE = "sim-small", "sim-large", "sim-judge"
P_LARGE, P_SMALL, LIFT = 0.90, 0.30, 0.60
_MASK = (1 << 64) - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & _MASK
    return h


class Rng:
    """splitmix64 stream: uniform() in [0, 1)."""

    def __init__(self, key):
        self.state = key & _MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK
        return splitmix64(self.state)

    def uniform(self):
        return (self.next() >> 11) * (1.0 / (1 << 53))


def words(text):
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def jaccard(a, b):
    return len(a & b) / len(a | b) if a or b else 0.0


def final_number(answer):
    """The number after the last '####', else the last number in the text, without commas."""
    tail = answer.rsplit("####", 1)[1] if "####" in answer else answer
    nums = re.findall(r"-?\d[\d,]*(?:\.\d+)?", tail)
    return nums[-1 if "####" not in answer else 0].replace(",", "") if nums else None


def ramp(j):
    return min(1.0, max(0.0, (j - 0.2) / 0.4))


class SimWorld:
    """The problems, the traffic generator, the two models and the judge."""

    def __init__(self, seed=7, path=DATA):
        with open(path, encoding="utf-8") as f:
            self.problems = json.load(f)
        self.seed = seed
        self.golds = [final_number(p["answer"]) for p in self.problems]
        self.word_sets = [words(p["question"]) for p in self.problems]
        self.postings = {}
        for i, ws in enumerate(self.word_sets):
            for w in ws:
                self.postings.setdefault(w, []).append(i)
        self.attempts = {}

    # --- traffic ---------------------------------------------------------------------
    def requests(self, n, distinct=200, zipf_s=1.1):
        """n paraphrased requests drawn from the first `distinct` problems (Zipf popularity)."""
        weights = [1.0 / (r + 1) ** zipf_s for r in range(distinct)]
        total = sum(weights)
        cdf, acc = [], 0.0
        for w in weights:
            acc += w / total
            cdf.append(acc)
        rng = Rng(splitmix64(self.seed ^ 0x7261666669630000))
        out = []
        for _ in range(n):
            u = rng.uniform()
            idx = next((r for r, c in enumerate(cdf) if u < c), distinct - 1)
            kept = [w for w in self.problems[idx]["question"].split(" ")
                    if any(ch.isdigit() for ch in w) or rng.uniform() >= 0.15]
            out.append(" ".join(kept))
        return out

    def identify(self, text):
        """The problem a text is about: most shared words, ties to the smaller index."""
        counts = {}
        for w in words(text):
            for i in self.postings.get(w, ()):
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return 0
        return min(counts, key=lambda i: (-counts[i], i))

    # --- models ----------------------------------------------------------------------
    def _draw(self, model, request):
        key = (model, request)
        attempt = self.attempts.get(key, 0)
        self.attempts[key] = attempt + 1
        h = fnv1a64(model + "\x1f" + request)
        return Rng(splitmix64(h ^ splitmix64(self.seed)) + attempt)

    def _answer(self, idx, correct, rng):
        answer = self.problems[idx]["answer"]
        if correct:
            return answer
        wrong = str(int(float(self.golds[idx])) + 1 + int(rng.uniform() * 9))
        return answer.rsplit("####", 1)[0] + "#### " + wrong

    def success_probability(self, model, request, examples):
        """examples: [(request, response)] shown in context."""
        if model == LARGE:
            return P_LARGE
        idx = self.identify(request)
        req_words = words(request)
        best = 0.0
        for ex_req, ex_resp in examples:
            if final_number(ex_resp) == self.golds[idx]:
                best = max(best, jaccard(req_words, words(ex_req)))
        return P_SMALL + LIFT * ramp(best)

    def generate(self, model, request, examples=()):
        """One sampled answer of `model` to `request` with in-context `examples`."""
        if model not in (SMALL, LARGE):
            raise ValueError("unknown simulated model %r; expected %s or %s" % (model, SMALL, LARGE))
        rng = self._draw(model, request)
        p = self.success_probability(model, request, examples)
        return self._answer(self.identify(request), rng.uniform() < p, rng)

    def judge(self, request, answer):
        """Reward in [0, 1]: 1 when the final number is right."""
        return 1.0 if final_number(answer) == self.golds[self.identify(request)] else 0.0


def examples_from_messages(messages):
    """(request, response) pairs of a chat messages array: user/assistant turns before the
    last user message."""
    turns = [m for m in messages if m.get("role") in ("user", "assistant")]
    pairs = []
    for i in range(0, len(turns) - 1, 2):
        if turns[i]["role"] == "user" and turns[i + 1]["role"] == "assistant":
            pairs.append((turns[i]["content"], turns[i + 1]["content"]))
    return pairs, (turns[-1]["content"] if turns else "")


def examples_from_prompt(prompt):
    """(request, response) pairs and the request of the iccache_prompt completion template."""
    blocks = prompt.split("\n\nQuestion: ")
    blocks[0] = blocks[0][len("Question: "):] if blocks[0].startswith("Question: ") else blocks[0]
    pairs = []
    for b in blocks[:-1]:
        q, _, a = b.partition("\nAnswer: ")
        pairs.append((q, a))
    last = blocks[-1]
    return pairs, last[: -len("\nAnswer:")] if last.endswith("\nAnswer:") else last
