#!/usr/bin/python3
"""Routing simulation: replays the Azure LLM conversation trace against five routers.

Requests are the 805 real AlpacaEval prompts; each prompt's quality per model is the LLM
judge's verdict in annotations/alpaca_eval_gpt4 (win against text-davinci-003 = 1, loss = 0,
draw = 0.5): small = llama-2-7b-chat-hf, large = gpt4. The routers see only the prompt (and,
for iccache, the examples selected for it) and learn from the reward of the arm they chose.

Documented, seeded assumptions (they cannot be measured here):
  * Examples: the cache holds 999 Alpaca-GPT4 pairs plus GPT-4's answers to a training split
    of 300 AlpacaEval prompts (the "past traffic"); the 505 other prompts are the requests.
    With examples whose best cosine similarity is s, the small model reaches the large
    model's judged quality with probability P(s) = 0.7 * clamp((s - S0) / (S1 - S0), 0, 1)
    (S0/S1 are the 20th/95th percentiles of s over the requests), else keeps its own.
  * Serving: each model is a FCFS queue with parallel slots; service time = prefill per
    context token (+1,000 example tokens on the small model) + decode per generated token,
    with the trace's token counts. Large: 0.2 ms/prefill token, 25 ms/decode token; small:
    0.05 ms and 8 ms. Slot counts are set from the trace so the large model alone can carry
    SHARE0 of the mean load at 80% utilisation: bursts push it past capacity.
Routers: always-large, always-small (with examples), random at iccache's offload share, a
RouteLLM-style static threshold (ridge regression of the quality gap on a 32-d projection of
the prompt embedding plus length, trained on the 300 training prompts with both models'
verdicts, threshold calibrated to send SHARE0 to large), and iccache (SQL: MATCH k=5, then
iccache_route/iccache_feedback; warm-started on the training prompts with bandit feedback,
then calibrated to SHARE0 every 500 requests on the newest 1,500; feedback on want_feedback
decisions and a 10% sample).
Usage: route_sim.py EXTENSION OUT_DIR [DATA_DIR]
"""
import bisect, csv, datetime, json, math, os, random, sqlite3, struct, sys, time

SEED = 20251126
SHARE0 = 0.6
ENHANCE = 0.7
BETA = float(os.environ.get('ROUTE_SIM_BETA', '0.25'))
GAMMA = float(os.environ.get('ROUTE_SIM_GAMMA', '1'))
BANDIT = os.environ.get('ROUTE_SIM_BANDIT', 'thompson')


def load_data(data):
    ev = os.path.join(data, 'alpaca_eval')
    def verdicts(model):
        out = []
        for line in open(os.path.join(ev, 'annotations', 'alpaca_eval_gpt4', model + '.jsonl')):
            p = json.loads(line)['preference']
            out.append(0.5 if p in (None, 0, 1.5) else float(p) - 1.0)
        return out
    prompts = [o['instruction'] for o in json.load(open(os.path.join(ev, 'gpt4.model_outputs.json')))]
    large_out = [o['output'] for o in json.load(open(os.path.join(ev, 'gpt4.model_outputs.json')))]
    qs, ql = verdicts('llama-2-7b-chat-hf'), verdicts('gpt4')
    pairs = json.load(open(os.path.join(data, 'alpaca', 'alpaca_gpt4_en_demo_1k.json')))
    cache = [((p['instruction'] + ('\n' + p['input'] if p['input'] else '')), p['output']) for p in pairs]
    rows = list(csv.DictReader(open(os.path.join(data, 'azure_llm_trace', 'AzureLLMInferenceTrace_conv.csv'))))
    def ts(s):
        return datetime.datetime.strptime(s[:26], '%Y-%m-%d %H:%M:%S.%f').timestamp()
    t0 = ts(rows[0]['TIMESTAMP'])
    trace = [(ts(r['TIMESTAMP']) - t0, int(r['ContextTokens']), int(r['GeneratedTokens'])) for r in rows]
    return prompts, large_out, qs, ql, cache, trace


def service(model, ctx, gen):
    if model == 'large':
        return 0.0002 * ctx + 0.025 * gen
    return 0.00005 * (ctx + 1000) + 0.008 * gen


def queue_latency(arrivals, models, slots):
    """FCFS with parallel slots per model: latency of each request."""
    import heapq
    free = {m: [0.0] * n for m, n in slots.items()}
    lat = []
    for (t, ctx, gen), m in zip(arrivals, models):
        h = free[m]
        start = max(t, heapq.heappop(h))
        done = start + service(m, ctx, gen)
        heapq.heappush(h, done)
        lat.append(done - t)
    return lat


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float('nan')


def solve(a, b):
    """Gaussian elimination with partial pivoting (no numpy here)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            for k in range(c, n + 1):
                m[r][k] -= f * m[c][k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x


def main():
    ext, out = sys.argv[1], sys.argv[2]
    data = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'data')
    if not os.path.isdir(os.path.join(data, 'alpaca_eval')) or not os.path.isdir(os.path.join(data, 'azure_llm_trace')):
        print('route_sim: %s has no alpaca_eval/azure_llm_trace; skipping' % data)
        return 0
    os.makedirs(out, exist_ok=True)
    rng = random.Random(SEED)
    prompts, large_out, qs, ql, cache, trace = load_data(data)
    order = list(range(len(prompts)))
    rng.shuffle(order)
    train, evals = order[:300], order[300:]

    dbpath = os.path.join(out, 'route_sim.db')
    for suffix in ('', '-wal', '-shm'):
        if os.path.exists(dbpath + suffix):
            os.remove(dbpath + suffix)
    db = sqlite3.connect(dbpath, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(ext)
    db.execute('PRAGMA journal_mode=WAL')
    db.execute('PRAGMA synchronous=OFF')

    # Serving capacity from the trace.
    span = trace[-1][0]
    mean_rate = len(trace) / span
    mean_large = sum(service('large', c, g) for _, c, g in trace) / len(trace)
    mean_small = sum(service('small', c, g) for _, c, g in trace) / len(trace)
    slots = {'large': math.ceil(mean_rate * SHARE0 * mean_large / 0.8),
             'small': math.ceil(mean_rate * 1.2 * mean_small)}
    cap_large = slots['large'] / mean_large
    threshold = 0.9 * cap_large / SHARE0
    db.execute("CREATE VIRTUAL TABLE ex USING iccache(dim=256, seed=7, load_half_life=10,"
               " load_threshold=%.4f, load_beta=%g, load_gamma=%g, bandit=%s)" % (threshold, BETA, GAMMA, BANDIT))
    db.execute('BEGIN')
    for req, resp in cache:
        db.execute("INSERT INTO ex(request, response, model, quality) VALUES(?, ?, 'large', 0.9)", (req, resp))
    for i in train:
        db.execute("INSERT INTO ex(request, response, model, quality) VALUES(?, ?, 'large', ?)",
                   (prompts[i], large_out[i], ql[i]))
    db.execute('COMMIT')

    # Selection per request prompt (static cache: same prompt, same examples).
    # Training prompts are in the cache themselves: their own row is left out.
    sel = {}
    own = {prompts[i]: i for i in train}
    for i in train + evals:
        rows = db.execute('SELECT rowid, similarity, request FROM ex WHERE ex MATCH ? AND k = 6', (prompts[i],)).fetchall()
        rows = [r for r in rows if not (i in train and r[2] == prompts[i])][:5]
        sel[i] = ([r[0] for r in rows], max(r[1] for r in rows))
    sims = sorted(sel[i][1] for i in evals)
    s0, s1 = pct(sims, 0.2), pct(sims, 0.95)
    def p_enh(s):
        return ENHANCE * min(1.0, max(0.0, (s - s0) / (s1 - s0)))

    # Arrivals: trace times and tokens, a random request prompt, and the examples' coin.
    arr = []
    for t, c, g in trace:
        i = rng.choice(evals)
        small_q = ql[i] if rng.random() < p_enh(sel[i][1]) else qs[i]
        arr.append((t, c, g, i, small_q))
    base = 1.7e9
    windows = [int(t // 30) for t, *_ in arr]
    wcount = {}
    for w in windows:
        wcount[w] = wcount.get(w, 0) + 1
    rate_of = [wcount[w] / 30 for w in windows]
    lo_cut, hi_cut = pct(rate_of, 0.5), pct(rate_of, 0.9)
    level = ['burst' if r >= hi_cut else ('mid' if r >= lo_cut else 'low') for r in rate_of]

    # RouteLLM-style static router, trained offline on the training prompts.
    def embedding(text):
        db.execute('CREATE TEMP TABLE IF NOT EXISTS scratch(x)')
        blob = db.execute("SELECT embedding FROM ex WHERE ex MATCH ? AND k = 1", (text,)).fetchone()
        return None if blob is None else blob
    proj_rng = random.Random(SEED + 1)
    proj = [[proj_rng.gauss(0, 1) for _ in range(256)] for _ in range(32)]
    db.execute("CREATE VIRTUAL TABLE emb USING iccache(dim=256)")
    def embed(text):
        db.execute('DELETE FROM emb')
        db.execute("INSERT INTO emb(rowid, request, response) VALUES(1, ?, '')", (text,))
        v = struct.unpack('<256f', db.execute('SELECT embedding FROM emb').fetchone()[0])
        return [1.0] + [0.5 * sum(a * b for a, b in zip(row, v)) for row in proj] + [math.log1p(len(text)) / math.log1p(4096)]
    feats = {i: embed(prompts[i]) for i in train + evals}
    d = len(feats[train[0]])
    a = [[(1.0 if r == c else 0.0) for c in range(d)] for r in range(d)]
    b = [0.0] * d
    for i in train:
        x, y = feats[i], ql[i] - qs[i]
        for r in range(d):
            b[r] += y * x[r]
            for c in range(d):
                a[r][c] += x[r] * x[c]
    theta = solve(a, b)
    gain = {i: sum(t * x for t, x in zip(theta, feats[i])) for i in feats}
    cut = pct([gain[i] for i in train], 1 - SHARE0)
    static_models = ['large' if gain[i] > cut else 'small' for (_, _, _, i, _) in arr]

    # iccache, through SQL. Warm start on the static router's training prompts, with bandit
    # feedback only (the reward of the arm it chose), 3 passes at 1 req/s before the trace,
    # then calibrated to SHARE0 like the static threshold.
    fb_rng = random.Random(SEED + 2)
    ic_models = []
    started = time.time()
    db.execute('BEGIN')
    warm = [i for _ in range(3) for i in train]
    for n, i in enumerate(warm):
        ids, s = sel[i]
        small_q = ql[i] if fb_rng.random() < p_enh(s) else qs[i]
        dec, model = db.execute("SELECT decision, model FROM iccache_route('ex', ?, ?, ?)",
                                (prompts[i], json.dumps(ids), base - len(warm) + n)).fetchone()
        db.execute('SELECT iccache_feedback(?, ?, ?)', ('ex', dec, ql[i] if model == 'large' else small_q))
    db.execute('SELECT iccache_calibrate(?, ?, ?)', ('ex', SHARE0, len(warm)))
    for n, (t, c, g, i, small_q) in enumerate(arr):
        ids, _ = sel[i]
        dec, model, want = db.execute("SELECT decision, model, want_feedback FROM iccache_route('ex', ?, ?, ?)",
                                      (prompts[i], json.dumps(ids), base + t)).fetchone()
        q = ql[i] if model == 'large' else small_q
        if want or fb_rng.random() < 0.1:
            db.execute('SELECT iccache_feedback(?, ?, ?)', ('ex', dec, q))
        ic_models.append(model)
        if n > 0 and n % 500 == 0:  # rolling re-aim on the newest 1,500 (RouteLLM calibrates once)
            db.execute('SELECT iccache_calibrate(?, ?, 1500)', ('ex', SHARE0))
    db.execute('COMMIT')
    ic_secs = time.time() - started
    stats = dict(db.execute('SELECT key, value FROM ex_stats').fetchall())
    ic_large = sum(m == 'large' for m in ic_models) / len(ic_models)
    rnd_rng = random.Random(SEED + 3)
    policies = {
        'always-large': ['large'] * len(arr),
        'always-small': ['small'] * len(arr),
        'random (same share)': ['large' if rnd_rng.random() < ic_large else 'small' for _ in arr],
        'static threshold': static_models,
        'iccache': ic_models,
    }

    def quality(models):
        return [ql[i] if m == 'large' else sq for m, (_, _, _, i, sq) in zip(models, arr)]

    lines = []
    lines.append('| router | load | requests | mean quality | offload share | p50 latency s | p99 latency s |')
    lines.append('|---|---|---|---|---|---|---|')
    series = {}
    summary = {}
    for name, models in policies.items():
        lat = queue_latency([(t, c, g) for t, c, g, _, _ in arr], models, slots)
        q = quality(models)
        for lv in ('low', 'mid', 'burst', 'all'):
            idx = [k for k in range(len(arr)) if lv == 'all' or level[k] == lv]
            qq = sum(q[k] for k in idx) / len(idx)
            off = sum(models[k] == 'small' for k in idx) / len(idx)
            ll = [lat[k] for k in idx]
            summary[(name, lv)] = (qq, off, pct(ll, 0.5), pct(ll, 0.99))
            lines.append('| %s | %s | %d | %.3f | %.3f | %.2f | %.2f |' % (name, lv, len(idx), qq, off, pct(ll, 0.5), pct(ll, 0.99)))
        # Time series per 60 s window.
        per = {}
        for k, (t, *_r) in enumerate(arr):
            w = int(t // 60)
            per.setdefault(w, []).append(k)
        series[name] = {w: (sum(models[k] == 'small' for k in ks) / len(ks), pct([lat[k] for k in ks], 0.99),
                            sum(q[k] for k in ks) / len(ks)) for w, ks in per.items()}
    rate_series = {}
    for t, *_r in arr:
        w = int(t // 60)
        rate_series[w] = rate_series.get(w, 0) + 1 / 60

    header = ['# iccache routing simulation',
              '',
              'command: `bash bench/route_sim.sh` (bench/route_sim.py, seed %d)' % SEED,
              'trace: Azure LLM conv, %d requests over %.0f s (mean %.2f req/s); load levels by the'
              ' 30 s arrival rate: low < %.2f <= mid < %.2f <= burst req/s' % (len(arr), span, mean_rate, lo_cut, hi_cut),
              'slots: large %d (capacity %.2f req/s), small %d; iccache load_threshold %.2f req/s' % (slots['large'], cap_large, slots['small'], threshold),
              'example effect: P(s) = %.1f * clamp((s - %.3f) / (%.3f - %.3f), 0, 1)' % (ENHANCE, s0, s1, s0),
              'iccache: %d route calls in %.1f s through SQL (with MATCH and feedback), %d feedback, cost weight %.4f'
              % (len(arr), ic_secs, stats.get('decisions_with_feedback', 0), stats.get('cost_weight', 0)),
              '']
    open(os.path.join(out, 'route_sim.md'), 'w').write('\n'.join(header + lines) + '\n')
    with open(os.path.join(out, 'route_sim_series.dat'), 'w') as f:
        names = list(policies)
        f.write('# minute rate ' + ' '.join('off_%d p99_%d q_%d' % (k, k, k) for k in range(len(names))) + '  # ' + ', '.join(names) + '\n')
        for w in sorted(rate_series):
            f.write('%d %.3f %s\n' % (w, rate_series[w], ' '.join('%.4f %.3f %.4f' % series[n][w] for n in names)))
    print('\n'.join(header + lines))
    return 0


if __name__ == '__main__':
    sys.exit(main())
