-- iccache quickstart: run from the repository root after building.
--   sqlite3 < sql/quickstart.sql        (scripts/quickstart.sh does build + this)
-- Creates a cache, imports 2,000 real GSM8K problems with worked answers, and selects
-- in-context examples for new requests.
.load build/iccache
.mode box
.timer off

-- An in-memory cache; use a file path with `sqlite3 cache.db` to keep it.
CREATE VIRTUAL TABLE ex USING iccache(dim=256, embedder='hash', models='small:0.1,large:1.0');

-- Import: each problem is a request, its worked answer the response a large model gave.
INSERT INTO ex(request, response, model, quality)
  SELECT json_extract(value, '$.question'), json_extract(value, '$.answer'), 'large', 0.9
  FROM json_each(readfile('examples/data/gsm8k_sample.json'));

SELECT count(*) AS examples, sum(bytes) AS bytes, round(avg(bytes)) AS bytes_per_example FROM ex;

-- 1. A paraphrase of a cached problem (row 1: Natalia's clips) finds it first.
SELECT rowid, substr(request, 1, 70) AS request, round(similarity, 3) AS similarity
  FROM ex WHERE ex MATCH 'Natalia sold 48 clips in April and half as many in May. How many in total?'
   AND k = 3;

-- 2. A new request: the nearest examples, to prepend as in-context examples.
SELECT rowid, substr(request, 1, 70) AS request, round(similarity, 3) AS similarity
  FROM ex WHERE ex MATCH 'A baker makes 24 muffins an hour. How many muffins does he bake in 6 hours?'
   AND k = 3;

-- 3. The response of the best example, as the prompt would carry it.
SELECT response FROM ex
 WHERE ex MATCH 'Tom reads 12 pages a day. How many pages does he read in 2 weeks?' AND k = 1;

-- 4. Tenants partition the cache: selection never crosses them.
INSERT INTO ex(request, response, tenant) VALUES
  ('How many pages does Tom read in two weeks at 12 pages a day?', '12 * 14 = 168. #### 168', 'team-b');
SELECT rowid, tenant, round(similarity, 3) AS similarity FROM ex
 WHERE ex MATCH 'Tom reads 12 pages a day. How many pages in 2 weeks?' AND k = 2 AND tenant = 'team-b';

-- 5. The cache checks itself.
INSERT INTO ex(ex) VALUES('integrity-check');
SELECT 'integrity-check: ok' AS result;
