// The README's snippets as a Node user runs them, with better-sqlite3 12: its own bundled
// SQLite (3.5x) in defensive mode, which refuses what Debian's 3.40 lets pass (issue 11,
// items 10 and 11). Run by ctest as e2e.readme_node with ICCACHE_EXTENSION set;
// scripts/install-node-deps.sh installs better-sqlite3 into tests/node/node_modules.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const Database = require('better-sqlite3');

const SOURCE = path.resolve(__dirname, '..', '..');
const README = fs.readFileSync(path.join(SOURCE, 'README.md'), 'utf8');
const EXTENSION = process.env.ICCACHE_EXTENSION || path.join(SOURCE, 'build', 'iccache.so');

// The fenced block of `lang` that follows `marker` in the README.
function block(marker, lang) {
  const at = README.indexOf(marker);
  assert.ok(at >= 0, `README has no "${marker}"`);
  const m = README.slice(at).match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'));
  assert.ok(m, `no ${lang} block after "${marker}"`);
  return m[1];
}

// A folder laid out like the repository root for the snippets' relative paths:
// build/iccache.so (the extension under test) and the cache.db the walkthrough makes.
function workdir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'iccache-node-'));
  fs.mkdirSync(path.join(d, 'build'));
  fs.symlinkSync(EXTENSION, path.join(d, 'build', 'iccache.so'));
  return d;
}

// The README's first SQL block, in the sqlite3 shell (Debian's SQLite), on cache.db.
function walkthrough(dir) {
  const out = execFileSync('sqlite3', ['cache.db'], { cwd: dir, input: block('## What it is', 'sql') });
  assert.match(out.toString(), /What is the capital of France\?\|Paris\./);
}

// The Node snippet exactly as the README has it, then one line to print what it got.
function runNodeSnippet(dir) {
  const code = block('Node, better-sqlite3 12:', 'js') + '\nconsole.log(JSON.stringify(rows));\n';
  fs.writeFileSync(path.join(dir, 'snippet.js'), code);
  const out = execFileSync(process.execPath, ['snippet.js'], {
    cwd: dir,
    env: { ...process.env, NODE_PATH: path.join(__dirname, 'node_modules') },
  });
  return JSON.parse(out.toString());
}

test('better-sqlite3 runs a current SQLite in defensive mode', () => {
  const db = new Database(':memory:');
  const [major, minor] = db.prepare('SELECT sqlite_version()').pluck().get().split('.').map(Number);
  assert.ok(major > 3 || minor >= 44, 'a SQLite that refuses triggers on shadow tables');
  db.close();
});

test("the README's Node snippet reopens the cache the sqlite3 shell made", () => {
  const dir = workdir();
  walkthrough(dir);
  const rows = runNodeSnippet(dir);
  assert.strictEqual(rows.length, 1);
  assert.strictEqual(rows[0].rowid, 1);
  assert.strictEqual(rows[0].response, 'Paris.');
  assert.ok(rows[0].similarity > 0.3 && rows[0].similarity <= 1, String(rows[0].similarity));
});

test('a cache made, written and reopened by Node alone (defensive mode throughout)', () => {
  const dir = workdir();
  const file = path.join(dir, 'cache.db');
  let db = new Database(file);
  db.loadExtension(EXTENSION);
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64, budget='2KB')");
  const insert = db.prepare('INSERT INTO ex(request, response) VALUES (?, ?)');
  for (let i = 0; i < 30; i++) insert.run(`[Context] question ${i}`, `answer ${i}`);  // evicts
  db.prepare("UPDATE ex SET response = 'changed' WHERE rowid = (SELECT max(rowid) FROM ex)").run();
  db.prepare('DELETE FROM ex WHERE rowid = (SELECT min(rowid) FROM ex)').run();
  const total = () => db.prepare("SELECT (SELECT value FROM ex_state WHERE key = 'bytes')"
                                 + ' = (SELECT total(bytes) FROM ex)').pluck().get();
  assert.strictEqual(total(), 1);
  assert.throws(() => db.exec("UPDATE ex_state SET value = 0 WHERE key = 'bytes'"), /may not be modified/);
  db.close();
  db = new Database(file);
  db.loadExtension(EXTENSION);
  const n = db.prepare('SELECT count(*) FROM ex').pluck().get();
  assert.ok(n > 0 && n < 30, String(n));
  const hit = db.prepare('SELECT response FROM ex WHERE ex MATCH ? AND k = 1').get('[Context] question 29');
  assert.strictEqual(hit.response, 'changed');
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  assert.strictEqual(total(), 1);
  db.close();
});
