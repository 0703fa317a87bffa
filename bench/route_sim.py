#!/usr/bin/python3
"""Routing evaluation: the extension's router and selection (through SQL) against baselines
that get the same feedback, on AlpacaEval judge verdicts and Azure trace arrivals.

Protocol (docs/routing.md explains and reports it):
  * Prompt-level split per seed: the 805 AlpacaEval prompts are shuffled into three disjoint
    thirds. 'cache' prompts are past traffic: their answers (each from the small or the
    large model, by a coin) are examples in the cache, with 999 Alpaca-GPT4 pairs. 'learn'
    prompts make the learning stream, 'score' prompts the scored stream. No scored prompt
    was ever seen while learning, and none is in the cache.
  * Learning: n_learn requests (Poisson, no load), every learner gets the reward of the
    model it served for every request. Then iccache and the threshold routers calibrate to
    send `share` of requests to the large model.
  * Scoring: the Azure conversation trace thinned to a base rate with one superposed burst
    minute (routesim/arrivals.py). Every learner gets the reward of what it served for the
    same 10% of requests (shared coin), or none ('frozen').
  * Worlds (routesim/world.py): 'lift' (examples help), 'lift0' (they do nothing), 'hurt'
    (similar examples with a losing answer mislead), 'strong' (they help twice as much).
  * Headroom: 'oracle' routers at iccache's share know the verdicts (or only the example
    effect); 'random@X' routes at X's share in and out of the burst.
Usage: route_sim.py EXTENSION OUT_DIR [DATA_DIR] [--quick] [--seeds N] [--variant NAME=OPTIONS]
"""
import argparse, json, math, os, random, sqlite3, struct, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from routesim import arrivals as arr_mod, baselines, data as data_mod, stats, world as world_mod  # noqa: E402

SHARE = 0.5            # share of requests the calibrated routers send to the large model
COSTS = {'small': 0.1, 'large': 1.0}
EXAMPLE_TOKENS = 200   # prefill tokens per example shown to the small model
K = 5
BASE_RATE = 0.5        # scored stream: requests/s before the burst
PEAK_RATIO = 25.0      # peak minute / mean minute of the scored window
FEEDBACK = 0.10        # share of scored requests whose reward every learner receives
PROJ = 16              # RouteLLM-style router: random projection of the embedding


def open_db(ext):
    db = sqlite3.connect(':memory:', isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(ext)
    return db


_EMB = {}


def prompt_features(ext, prompts):
    """Features of the threshold routers: bias, a fixed 16-d random projection of the
    extension's own embedding of the prompt, log length. Computed once per process."""
    if _EMB:
        return _EMB
    db = open_db(ext)
    db.execute('CREATE VIRTUAL TABLE e USING iccache(dim=256)')
    db.execute('BEGIN')
    for i, p in enumerate(prompts):
        db.execute('INSERT INTO e(rowid, request, response) VALUES(?, ?, ?)', (i + 1, p, ''))
    db.execute('COMMIT')
    rng = random.Random(4242)
    proj = [[rng.gauss(0, 1) for _ in range(256)] for _ in range(PROJ)]
    for i, blob in db.execute('SELECT rowid, embedding FROM e ORDER BY rowid'):
        v = struct.unpack('<256f', blob)
        _EMB[i - 1] = [1.0] + [sum(a * b for a, b in zip(row, v)) for row in proj] + \
                      [math.log1p(len(prompts[i - 1])) / math.log1p(4096)]
    db.close()
    return _EMB


def run(cfg, bundle, ext):
    prompts, pairs, alpaca, trace = bundle
    pair = pairs[cfg['pair']]
    qs, ql = pair['qs'], pair['ql']
    seed = cfg['seed']
    split = list(range(len(prompts)))
    random.Random(seed).shuffle(split)
    third = len(split) // 3
    cache_p, learn_p, score_p = split[:third], split[third:2 * third], split[2 * third:]

    # Arrivals: learning before the scored window, at the base rate (no load).
    arng = random.Random(seed + 1)
    scored, ainfo = arr_mod.with_burst(trace, arng, cfg['base_rate'], cfg['peak_ratio'])
    learning = arr_mod.steady(cfg['n_learn'], arng, cfg['base_rate'], scored[0][0] - 1.0, trace)
    prng = random.Random(seed + 2)
    stream = [(a, prng.choice(learn_p), False) for a in learning] + [(a, prng.choice(score_p), True) for a in scored]
    crng = random.Random(seed + 3)
    coins = [(crng.random(), crng.random(), crng.random()) for _ in stream]  # help, harm, feedback

    # The cache: the same rows, in the same order, in every table (so rowids agree).
    mrng = random.Random(seed + 4)
    rows, verdict_of = [], {}
    for req, resp in alpaca:
        rows.append((req, resp, 'large', 0.9))
        verdict_of[len(rows)] = 1.0
    for i in cache_p:
        if mrng.random() < 0.5:
            rows.append((prompts[i], pair['out_s'][i], 'small', 0.7))
            verdict_of[len(rows)] = qs[i]
        else:
            rows.append((prompts[i], pair['out_l'][i], 'large', 0.9))
            verdict_of[len(rows)] = ql[i]

    db = open_db(ext)
    feats = prompt_features(ext, prompts)
    mean_rate = len(scored) / (ainfo['minutes'] * 60)
    slots, cap_large = arr_mod.slots_for(ainfo['base_rate'], SHARE, [(c, g) for _, c, g, _ in scored], K * EXAMPLE_TOKENS)
    load_threshold = 0.9 * cap_large / SHARE
    tables = {'base': "selection='similarity'"}
    for name, opts in cfg['variants']:
        tables[name] = opts
    tname = {}
    for n, (name, opts) in enumerate(tables.items()):
        t = 't%d' % n
        tname[name] = t
        db.execute("CREATE VIRTUAL TABLE %s USING iccache(dim=256, models='small:0.1,large:1', seed=%d,"
                   " load_threshold=%.4f, load_half_life=10%s)" % (t, seed, load_threshold, (', ' + opts) if opts else ''))
        db.execute('BEGIN')
        db.executemany('INSERT INTO %s(rowid, request, response, model, quality) VALUES(?, ?, ?, ?, ?)' % t,
                       [(k + 1,) + r for k, r in enumerate(rows)])
        db.execute('COMMIT')

    # Similarity top-k per prompt (static: no admission during the run).
    simsel = {}
    for i in set(learn_p) | set(score_p):
        simsel[i] = db.execute('SELECT rowid, similarity FROM %s WHERE %s MATCH ? AND k = %d' % (tname['base'], tname['base'], K),
                               (prompts[i],)).fetchall()
    best = sorted(simsel[i][0][1] for i in score_p)
    s0, s1 = baselines.quantile(best, 0.2), baselines.quantile(best, 0.95)
    world = world_mod.World(cfg['world'], qs, ql, verdict_of, s0, s1)

    # Learners.
    brng = random.Random(seed + 5)
    rl_bandit = baselines.ThresholdRouter(PROJ + 2, SHARE, 'bandit', brng)
    rl_full = baselines.ThresholdRouter(PROJ + 2, SHARE, 'full', brng)
    names = [n for n, _ in cfg['variants']]
    served = {n: [] for n in names + ['routellm', 'routellm-full']}   # scored requests: (arm, quality, examples)
    base_t = 1.7e9
    started = time.time()
    calibrated = False
    db.execute('BEGIN')
    for n, ((t, c, g, burst), i, scoring) in enumerate(stream):
        u_help, u_harm, u_fb = coins[n]
        if scoring and not calibrated:
            for name in names:
                db.execute('SELECT iccache_calibrate(?, ?, ?)', (tname[name], SHARE, cfg['n_learn']))
            rl_bandit.calibrate()
            rl_full.calibrate()
            calibrated = True
        give = (not scoring) or (not cfg['frozen'] and u_fb < cfg['feedback'])
        sim_shown = simsel[i]
        q_small_sim = world.small(i, sim_shown, u_help, u_harm)
        for name in names:
            t_ = tname[name]
            shown = db.execute('SELECT rowid, similarity FROM %s WHERE %s MATCH ? AND k = %d' % (t_, t_, K), (prompts[i],)).fetchall()
            dec, model, show = db.execute("SELECT decision, model, show_ids FROM iccache_route(?, ?, ?, ?)",
                                          (t_, prompts[i], json.dumps([r[0] for r in shown]), base_t + t)).fetchone()
            keep = set(json.loads(show))  # a counterfactual probe shows part of the selection
            shown = [r for r in shown if r[0] in keep]
            q = world.large(i) if model == 'large' else world.small(i, shown, u_help, u_harm)
            if give:
                db.execute('SELECT iccache_feedback(?, ?, ?)', (t_, dec, q))
            if scoring:
                served[name].append((model, q, len(shown) if model == 'small' else 0))
        x = feats[i]
        for router, label in ((rl_bandit, 'routellm'), (rl_full, 'routellm-full')):
            arm = router.decide(x)
            q = world.large(i) if arm == 'large' else q_small_sim
            if give:
                if router.mode == 'full':
                    router.full_feedback(x, q_small_sim, world.large(i))
                else:
                    router.feedback(x, arm, q)
            if scoring:
                served[label].append((arm, q, len(sim_shown) if arm == 'small' else 0))
    db.execute('COMMIT')
    secs = time.time() - started

    # Routers that do not learn, on the scored requests.
    sc = [(a, i) for (a, i, s) in stream if s]
    sc_coins = [coins[n] for n, (_, _, s) in enumerate(stream) if s]
    served['always-large'] = [('large', world.large(i), 0) for _, i in sc]
    served['always-small'] = [('small', world.small(i, simsel[i], h, m), len(simsel[i])) for (_, i), (h, m, _) in zip(sc, sc_coins)]
    cache_served = []
    for (_, i), (h, m, _) in zip(sc, sc_coins):
        e, s = simsel[i][0]
        cache_served.append(('cache', world.verbatim(i, e, s), 0) if s >= cfg['hit_similarity'] else ('large', world.large(i), 0))
    served['semantic-cache'] = cache_served
    main = names[0]
    # Random at the share of each learner, in and out of the burst: the same examples as the
    # other baselines, so a learner beats it only by choosing *which* requests go large.
    for who in names + ['routellm']:
        rrng = random.Random(seed + 6)
        pick = {}
        for lv in (True, False):
            idx = [k for k, ((_, _, _, b), _) in enumerate(sc) if b == lv]
            share = sum(served[who][k][0] == 'large' for k in idx) / max(1, len(idx))
            for k in idx:
                pick[k] = 'large' if rrng.random() < share else 'small'
        rnd = []
        for k, ((_, i), (h, m, _)) in enumerate(zip(sc, sc_coins)):
            arm = pick[k]
            rnd.append((arm, world.large(i) if arm == 'large' else world.small(i, simsel[i], h, m),
                        len(simsel[i]) if arm == 'small' else 0))
        served['random@' + who] = rnd

    # Headroom at iccache's share, in and out of the burst: 'oracle' knows each request's
    # verdicts and the example effect (the most any router could get at that share);
    # 'oracle-examples' knows only the example effect (P(help) of the similarity top-k), the
    # most a router could get from the examples alone.
    mean_gap = sum(ql[i] - qs[i] for i in score_p) / len(score_p)
    for label, gain in (('oracle', lambda i: world.large(i) - world.expected_small(i, simsel[i])),
                        ('oracle-examples', lambda i: mean_gap * (1 - world.effect(simsel[i])[0]) + world.effect(simsel[i])[1])):
        pick = {}
        for lv in (True, False):
            idx = [k for k, ((_, _, _, b), _) in enumerate(sc) if b == lv]
            n_large = sum(served[main][k][0] == 'large' for k in idx)
            ranked = sorted(idx, key=lambda k: (-gain(sc[k][1]), k))
            for r, k in enumerate(ranked):
                pick[k] = 'large' if r < n_large else 'small'
        served[label] = [(pick[k], world.large(i) if pick[k] == 'large' else world.small(i, simsel[i], h, m),
                          len(simsel[i]) if pick[k] == 'small' else 0) for k, ((_, i), (h, m, _)) in enumerate(zip(sc, sc_coins))]

    # Metrics per router and level.
    arrivals = [a for a, _ in sc]
    out = {}
    for name, rs in served.items():
        models = ['large' if a == 'large' else 'small' for a, _, _ in rs]  # a cache hit costs no model time
        hits = [a == 'cache' for a, _, _ in rs]
        lat = arr_mod.queue_latency(arrivals, models, [ne * EXAMPLE_TOKENS for _, _, ne in rs], slots)
        for k, h in enumerate(hits):
            if h:
                lat[k] = 0.0
        for lv in ('calm', 'burst', 'all'):
            idx = [k for k, a in enumerate(arrivals) if lv == 'all' or a[3] == (lv == 'burst')]
            q = [rs[k][1] for k in idx]
            out[(name, lv)] = {
                'quality': sum(q) / len(q),
                'large_share': sum(rs[k][0] == 'large' for k in idx) / len(idx),
                'cost': sum(COSTS.get(rs[k][0], 0.0) for k in idx) / len(idx),
                'p50': baselines.quantile([lat[k] for k in idx], 0.5),
                'p99': baselines.quantile([lat[k] for k in idx], 0.99),
                'n': len(idx),
                'examples': sum(rs[k][2] for k in idx) / max(1, sum(rs[k][0] == 'small' for k in idx)),
            }
    meta = {'secs': secs, 'arrivals': ainfo, 'slots': slots, 'load_threshold': load_threshold, 's0': s0, 's1': s1,
            'scored': len(sc), 'learning': cfg['n_learn'], 'mean_rate': mean_rate,
            'stats': {name: dict(db.execute('SELECT key, value FROM iccache_stats(?)', (tname[name],)).fetchall())
                      for name in names}}
    db.close()
    return out, meta


def report(results, routers, configs, metric_keys=('quality', 'large_share', 'cost', 'p99')):
    """Markdown: per configuration, per router, mean ± 95% CI over seeds."""
    lines = []
    for ck in configs:
        runs = results[ck]
        lines.append('')
        lines.append('### %s' % ck)
        lines.append('')
        lines.append('| router | quality | large share | cost | examples shown | quality, calm | large share, calm | quality, burst | large share, burst | p99 latency s, burst |')
        lines.append('|---|---|---|---|---|---|---|---|---|---|')
        for r in routers:
            if (r, 'all') not in runs[0]:
                continue
            def col(lv, key, d=3):
                return stats.fmt([run[(r, lv)][key] for run in runs], d)
            lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                r, col('all', 'quality'), col('all', 'large_share'), col('all', 'cost'), col('all', 'examples', 2),
                col('calm', 'quality'), col('calm', 'large_share'),
                col('burst', 'quality'), col('burst', 'large_share'), col('burst', 'p99', 1)))
    return lines


def paired(results, ck, a, b, lv='all', key='quality'):
    return [run[(a, lv)][key] - run[(b, lv)][key] for run in results[ck]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('ext')
    ap.add_argument('out')
    ap.add_argument('data', nargs='?', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'data'))
    ap.add_argument('--seeds', type=int, default=5)
    ap.add_argument('--quick', action='store_true', help='one pair, two seeds, fewer requests (a smoke run)')
    ap.add_argument('--n-learn', type=int, default=1500)
    ap.add_argument('--variant', action='append', default=[], help="NAME=OPTIONS: an extra iccache table (e.g. \"cf=selection='utility'\")")
    ap.add_argument('--only', default='', help='comma-separated configurations to run (default: all)')
    args = ap.parse_args()
    if not data_mod.available(args.data):
        print('route_sim: %s lacks alpaca_eval/alpaca/azure_llm_trace; skipping' % args.data)
        return 0
    os.makedirs(args.out, exist_ok=True)
    bundle = data_mod.load(args.data)
    variants = [('iccache', "selection='utility'"), ('iccache-similarity', "selection='similarity'")]
    for v in args.variant:
        name, _, opts = v.partition('=')
        variants.append((name, opts))
    seeds = list(range(1, (2 if args.quick else args.seeds) + 1))
    base = {'world': 'lift', 'frozen': False, 'feedback': FEEDBACK, 'n_learn': 500 if args.quick else args.n_learn,
            'base_rate': BASE_RATE, 'peak_ratio': PEAK_RATIO, 'hit_similarity': 0.9, 'variants': variants}
    configs = {}
    pairs = list(data_mod.PAIRS)
    for p in (pairs[:1] if args.quick else pairs):
        configs['%s, lift' % p] = dict(base, pair=p)
    if not args.quick:
        p0 = pairs[0]
        configs['%s, lift0' % p0] = dict(base, pair=p0, world='lift0')
        configs['%s, hurt' % p0] = dict(base, pair=p0, world='hurt')
        configs['%s, strong' % p0] = dict(base, pair=p0, world='strong')
        configs['%s, lift, frozen' % p0] = dict(base, pair=p0, frozen=True)
        configs['%s, lift, no burst' % p0] = dict(base, pair=p0, peak_ratio=1.0)
    if args.only:
        keep = set(args.only.split(';'))
        configs = {k: v for k, v in configs.items() if k in keep}
    results, metas = {}, {}
    t0 = time.time()
    for ck, cfg in configs.items():
        results[ck], metas[ck] = [], []
        for s in seeds:
            out, meta = run(dict(cfg, seed=s), bundle, args.ext)
            results[ck].append(out)
            metas[ck].append(meta)
            print('%s seed %d: %d learning + %d scored requests, %.1f s' % (ck, s, meta['learning'], meta['scored'], meta['secs']), flush=True)
    routers = [n for n, _ in variants] + ['routellm', 'routellm-full'] + ['random@' + n for n, _ in variants] + \
        ['random@routellm', 'oracle', 'oracle-examples', 'semantic-cache', 'always-small', 'always-large']
    m0 = metas[next(iter(metas))][0]
    a = m0['arrivals']
    lines = ['# iccache routing evaluation', '',
             'command: `/usr/bin/python3 bench/route_sim.py build/iccache %s%s` (%d seeds; %.0f s on this machine)'
             % (args.out, ' --quick' if args.quick else '', len(seeds), time.time() - t0),
             'scored window (seed 1): %d minutes, base %.2f req/s, %d minutes superposed on minute %d: peak %d/min vs mean %.1f/min (%.1fx)'
             % (a['minutes'], a['base_rate'], a['copies'], a['burst_minute'], a['peak_per_min'], a['mean_per_min'], a['peak_ratio']),
             'slots (seed 1): large %d, small %d; iccache load_threshold %.2f req/s; relevance s0 %.3f, s1 %.3f'
             % (m0['slots']['large'], m0['slots']['small'], m0['load_threshold'], m0['s0'], m0['s1']),
             'values: mean ± 95% interval over seeds (Student t); quality = mean judge verdict of the served answers on scored requests;'
             ' cost: small 0.1, large 1, a semantic-cache hit 0 (per request)']
    lines += report(results, routers, list(configs))
    comparisons = [('iccache', 'random@iccache'), ('iccache-similarity', 'random@iccache-similarity'),
                   ('routellm', 'random@routellm'), ('iccache', 'iccache-similarity'), ('iccache', 'routellm')]
    for lv, what in (('all', 'all scored requests'), ('calm', 'outside the burst'), ('burst', 'in the burst minute')):
        lines += ['', '### paired differences in quality (%s), mean ± 95%% interval over seeds' % what, '',
                  '| configuration | ' + ' | '.join('%s - %s' % c for c in comparisons) + ' |',
                  '|---|' + '---|' * len(comparisons)]
        for ck in configs:
            lines.append('| %s | %s |' % (ck, ' | '.join(stats.fmt(paired(results, ck, x, y, lv)) for x, y in comparisons)))
    for name, _ in variants[2:]:
        lines += ['', '### %s - iccache, quality (paired)' % name, '']
        for ck in configs:
            lines.append('- %s: %s (all), %s (burst)' % (ck, stats.fmt(paired(results, ck, name, 'iccache')),
                                                      stats.fmt(paired(results, ck, name, 'iccache', 'burst'))))
    text = '\n'.join(lines) + '\n'
    open(os.path.join(args.out, 'route_sim.md'), 'w').write(text)
    json.dump({ck: [{'%s|%s' % k: v for k, v in run.items()} for run in runs] for ck, runs in results.items()},
              open(os.path.join(args.out, 'route_sim.json'), 'w'), indent=1)
    json.dump(metas, open(os.path.join(args.out, 'route_sim_meta.json'), 'w'), indent=1, default=str)
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
