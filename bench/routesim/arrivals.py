"""Arrivals: the Azure conversation trace, thinned to a base rate, with one burst minute made
by superposing other minutes of the same thinned trace onto it.

The trace's own peak minute is only ~1.5x its mean; the IC-Cache paper's production peaks
are ~25x. Superposition keeps the trace's real inter-arrival pattern and token counts: the
burst minute receives the requests of c other minutes (chosen at random), each shifted by a
whole number of minutes, so that peak minute / mean minute over the window = peak_ratio.
With W minutes of base rate r per minute, the peak holds (c + 1) r and the mean is
(W + c) r / W, so c + 1 = peak_ratio (W - 1) / (W - peak_ratio)."""
import math


def thin(trace, rng, rate):
    span = trace[-1][0] - trace[0][0]
    keep = min(1.0, rate * span / len(trace))
    return [a for a in trace if rng.random() < keep]


def with_burst(trace, rng, rate, peak_ratio, burst_minute=None):
    """Returns (arrivals, info): arrivals are (t, context_tokens, generated_tokens, in_burst)
    sorted by t; info holds the measured rates."""
    base = thin(trace, rng, rate)
    minutes = int(base[-1][0] // 60)
    base = [a for a in base if a[0] < minutes * 60]
    w = minutes
    if burst_minute is None:
        burst_minute = w // 2
    copies = 0
    if peak_ratio > 1:
        if peak_ratio >= w:
            raise ValueError('peak ratio %g needs more than %d minutes' % (peak_ratio, w))
        copies = max(0, round(peak_ratio * (w - 1) / (w - peak_ratio)) - 1)
    others = [m for m in range(w) if m != burst_minute]
    rng.shuffle(others)
    picked = set(others[:copies])
    arr = [(t, c, g, int(t // 60) == burst_minute) for t, c, g in base]
    for t, c, g in base:
        m = int(t // 60)
        if m in picked:
            arr.append((t + (burst_minute - m) * 60, c, g, True))
    arr.sort()
    per = [0] * w
    for t, *_ in arr:
        per[int(t // 60)] += 1
    mean = sum(per) / w
    info = {'minutes': w, 'base_rate': len(base) / (w * 60), 'copies': copies,
            'burst_minute': burst_minute, 'peak_per_min': max(per), 'mean_per_min': mean,
            'peak_ratio': max(per) / mean, 'requests': len(arr)}
    return arr, info


def steady(n, rng, rate, end, trace):
    """n learning arrivals before `end`: Poisson at `rate` (no load), token counts drawn from
    the trace."""
    t, out = end, []
    for _ in range(n):
        t -= rng.expovariate(rate)
        _, c, g = trace[rng.randrange(len(trace))]
        out.append((t, c, g, False))
    out.reverse()
    return out


def service(model, ctx, gen, examples_tokens):
    """Seconds of one request on one slot: prefill per context token + decode per output token.
    The small model also prefills the examples it is shown."""
    if model == 'large':
        return 0.0002 * ctx + 0.025 * gen
    return 0.00005 * (ctx + examples_tokens) + 0.008 * gen


def queue_latency(arrivals, models, ex_tokens, slots):
    """FCFS per model with parallel slots: latency of each request (arrival to completion)."""
    import heapq
    free = {m: [arrivals[0][0]] * n for m, n in slots.items()}
    lat = []
    for (t, ctx, gen, _), m, et in zip(arrivals, models, ex_tokens):
        h = free[m]
        start = max(t, heapq.heappop(h))
        done = start + service(m, ctx, gen, et)
        heapq.heappush(h, done)
        lat.append(done - t)
    return lat


def slots_for(trace_rate, share_large, arrivals_tokens, example_tokens):
    """Large: carries `share_large` of the base load at 80% utilisation, so bursts exceed it.
    Small: carries 4x the whole base load at 80% (a small model serves several times the
    requests of a large one on the same hardware), so it absorbs part of a burst."""
    n = len(arrivals_tokens)
    ml = sum(service('large', c, g, 0) for c, g in arrivals_tokens) / n
    ms = sum(service('small', c, g, example_tokens) for c, g in arrivals_tokens) / n
    large = max(1, math.ceil(trace_rate * share_large * ml / 0.8))
    small = max(1, math.ceil(4 * trace_rate * ms / 0.8))
    return {'large': large, 'small': small}, large / ml
