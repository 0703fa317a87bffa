-- iccache analytics: what a person runs on a live cache to see how it is doing.
--   sqlite3 cache.db < sql/analytics.sql        (from the repository root; table `ex`)
-- Read-only: nothing here writes. Each query is independent; copy the ones you need.
-- The cache's own state is in ex_stats; per-decision history in ex_decisions (pruned after
-- decision_ttl, 7 days by default); per-example statistics are columns of ex.
.load build/iccache
.mode box

-- 0. The cache at a glance.
SELECT key, value FROM ex_stats
 WHERE key IN ('examples', 'bytes', 'budget', 'load', 'load_ema', 'cost_weight', 'decisions',
               'decisions_with_feedback');

-- 1. Offload share by hour and model: which model served what share of each hour's
--    requests, and how those answers were rated (rewarded: decisions with feedback).
SELECT strftime('%Y-%m-%d %H:00', time, 'unixepoch') AS hour,
       arm AS model,
       count(*) AS requests,
       round(1.0 * count(*) / sum(count(*)) OVER (PARTITION BY strftime('%Y-%m-%d %H', time, 'unixepoch')), 3)
         AS share,
       count(reward) AS rewarded,
       round(avg(reward), 3) AS mean_reward
  FROM ex_decisions
 GROUP BY hour, model
 ORDER BY hour, model;

-- 1b. The offload share itself: requests per hour not sent to the most expensive model.
WITH top AS (SELECT substr(key, 5, length(key) - 9) AS model FROM ex_stats
              WHERE key LIKE 'arm.%.cost' ORDER BY value DESC LIMIT 1)
SELECT strftime('%Y-%m-%d %H:00', time, 'unixepoch') AS hour,
       count(*) AS requests,
       round(avg(arm <> (SELECT model FROM top)), 3) AS offload_share
  FROM ex_decisions
 GROUP BY hour
 ORDER BY hour;

-- 2. The most reused examples: uses (feedback that involved them), offloads (cheaper model
--    answered well with them), gain G(e) (what a replay could still win).
SELECT rowid, uses, offloads, round(gain, 3) AS gain, round(quality, 2) AS quality, model,
       substr(replace(request, char(10), ' '), 1, 60) AS request
  FROM ex
 WHERE rowid IN (SELECT rowid FROM ex ORDER BY uses DESC, rowid LIMIT 10)
 ORDER BY uses DESC, rowid;

-- 3. Gain distribution: how many examples in each band of G(e). A long tail is expected
--    (PAPER.md): replay pays for the few at the top.
SELECT printf('%.1f-%.1f', floor(gain * 10) / 10.0, floor(gain * 10) / 10.0 + 0.1) AS gain_band,
       count(*) AS examples,
       sum(uses) AS uses
  FROM ex
 GROUP BY floor(gain * 10)
 ORDER BY floor(gain * 10);

-- 4. Replay backlog: examples whose expected gain exceeds the price of one replay (0.2 of a
--    large-model call here; use your own), and the ten most worth it.
SELECT count(*) AS worth_replaying, round(sum(expected_gain), 3) AS total_expected_gain
  FROM ex_replay WHERE replay_cost = 0.2;
SELECT rowid, round(expected_gain, 3) AS expected_gain, uses, replays,
       substr(replace(request, char(10), ' '), 1, 60) AS request
  FROM ex_replay WHERE replay_cost = 0.2 LIMIT 10;

-- 5. Bytes by tenant: who holds the budget.
SELECT tenant, count(*) AS examples, sum(bytes) AS bytes,
       round(100.0 * sum(bytes) / (SELECT sum(bytes) FROM ex), 1) AS pct_of_bytes
  FROM ex
 GROUP BY tenant
 ORDER BY bytes DESC;
