"""Prometheus metrics of `iccache serve` (GET /metrics).

Counters and histograms live in prometheus_client's multiprocess mode (serve.py points
PROMETHEUS_MULTIPROC_DIR at a directory of its own before starting the workers), so one
scrape of any worker sums every worker. The cache's own state (examples, bytes, load,
decisions, training) is read from iccache_stats at scrape time: the cache file is shared,
so any worker sees it whole.
"""
import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

# Upstream calls take seconds; selection and routing, milliseconds.
SLOW = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
FAST = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)


class Metrics:
    def __init__(self):
        self.requests = Counter("iccache_requests_total", "Completion requests answered, by endpoint, by the "
                                "model that served them (cache: the top example's response) and outcome",
                                ["endpoint", "model", "outcome"])
        self.request_seconds = Histogram("iccache_request_seconds", "Proxy latency of a completion request, "
                                         "by serving model (streams: until the last event)", ["model"],
                                         buckets=SLOW)
        self.upstream_seconds = Histogram("iccache_upstream_seconds", "Time to the upstream's response "
                                          "headers, by model", ["model"], buckets=SLOW)
        self.upstream_errors = Counter("iccache_upstream_errors_total", "Upstream calls that failed "
                                       "(unreachable, timeout or an error status), by model", ["model"])
        self.fallbacks = Counter("iccache_fallbacks_total", "Requests routed to the small model that the "
                                 "large one served because the small one failed")
        self.selection_seconds = Histogram("iccache_selection_seconds", "Example selection and prompt "
                                           "building (iccache_prompt)", buckets=FAST)
        self.route_seconds = Histogram("iccache_route_seconds", "Routing (iccache_route, with its write)",
                                       buckets=FAST)
        self.feedback = Counter("iccache_feedback_total", "Rewards given to the router, by source (judge or "
                                "client)", ["source"])
        self.admitted = Counter("iccache_admitted_total", "Answers admitted to the cache as examples")
        self.shadow_runs = Counter("iccache_shadow_runs_total", "Shadow-arm generations judged and fed back "
                                   "(the router was unsure; run after the answer, below load_threshold)")


class Scrape:
    """What one scrape shows: every worker's counters, the offload share derived from them,
    and the cache's state."""

    def __init__(self, stats, small):
        self.stats, self.small = stats, small

    def collect(self):
        registry = CollectorRegistry()
        MultiProcessCollector(registry, os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        families = list(registry.collect())
        yield from families
        total = small = 0.0
        for fam in families:
            for s in fam.samples:
                if s.name == "iccache_requests_total" and s.labels.get("outcome") == "ok":
                    total += s.value
                    small += s.value if s.labels.get("model") in (self.small, "cache") else 0.0
        g = GaugeMetricFamily("iccache_offload_share", "Share of answered requests served without the large "
                              "model (small model or cache) since the server started")
        g.add_metric([], small / total if total else 0.0)
        yield g
        yield from cache_gauges(self.stats)


def number(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def cache_gauges(stats):
    plain = (("examples", "iccache_cache_examples", "Examples in the cache"),
             ("bytes", "iccache_cache_bytes", "Bytes the cache's examples take (the budget's measure)"),
             ("load", "iccache_load_requests_per_second", "Arrival rate the router uses now"),
             ("decisions", "iccache_decisions", "Routing decisions kept in the log"),
             ("decisions_with_feedback", "iccache_decisions_with_feedback", "Logged decisions with a reward"),
             ("cost_weight", "iccache_cost_weight", "The router's cost weight (calibration moves it)"))
    for key, name, doc in plain:
        v = number(stats.get(key))
        if v is not None:
            g = GaugeMetricFamily(name, doc)
            g.add_metric([], v)
            yield g
    arms = GaugeMetricFamily("iccache_arm_mean_reward", "Mean reward the router has seen per arm", labels=["arm"])
    for key, value in stats.items():
        if key.startswith("arm.") and key.endswith(".mean_reward") and number(value) is not None:
            arms.add_metric([key[4:-len(".mean_reward")]], number(value))
    yield arms
    # Training state of the index, where the extension reports it (rows named training*).
    training = GaugeMetricFamily("iccache_training", "Training state and progress rows of ex_stats "
                                 "(numeric ones)", labels=["key"])
    for key, value in stats.items():
        if key.startswith("training") and number(value) is not None:
            training.add_metric([key], number(value))
    yield training


def render(stats, small):
    return generate_latest(Scrape(stats, small)), CONTENT_TYPE_LATEST
