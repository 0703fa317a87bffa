'use strict';
// The node/ package with better-sqlite3 12 and @langchain/core (tests/node/node_modules,
// installed by scripts/install-node-deps.sh; ctest sets NODE_PATH to it and ICCACHE_EXTENSION).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Database = require('better-sqlite3');
const iccache = require('..');

const FACTS = [['What is the capital of France?', 'Paris.'], ['How many legs does a spider have?', 'Eight.'],
  ['What is the boiling point of water?', '100 degrees Celsius.'], ['Capital of Spain?', 'Madrid.']];

function tempDb() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iccache-node-'));
  return path.join(dir, 'cache.db');
}

test('getLoadablePath and load return the extension path', () => {
  assert.equal(iccache.getLoadablePath(), process.env.ICCACHE_EXTENSION);
  const db = new Database(':memory:');
  assert.equal(iccache.load(db), process.env.ICCACHE_EXTENSION);
  assert.ok(db.prepare("SELECT count(*) AS n FROM pragma_function_list WHERE name = 'iccache_feedback'").get().n > 0);
  assert.throws(() => iccache.load({}), /iccache.load expects a better-sqlite3 Database/);
  db.close();
});

test('a cache file written, closed and reopened by better-sqlite3', () => {
  const file = tempDb();
  let db = new Database(file);
  iccache.load(db);
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64, models='small:0.1,large:1')");
  const insert = db.prepare('INSERT INTO ex(request, response, quality) VALUES (?, ?, 0.9)');
  for (const [q, a] of FACTS) insert.run(q, a);
  db.close();
  db = new Database(file);
  iccache.load(db);
  const rows = db.prepare('SELECT rowid AS id, response FROM ex WHERE ex MATCH ? AND k = ?').all('capital of France', 1);
  assert.deepEqual(rows.map((r) => [r.id, r.response]), [[1, 'Paris.']]);
  const p = db.prepare("SELECT example_ids FROM iccache_prompt('ex', ?, 1)").get('capital of France?');
  const route = db.prepare("SELECT decision, model FROM iccache_route('ex', ?, ?)").get('capital of France?', p.example_ids);
  assert.equal(route.decision, 1);
  db.prepare("SELECT iccache_feedback('ex', ?, 1.0)").get(route.decision);
  assert.equal(db.prepare("SELECT value FROM ex_stats WHERE key = 'decisions_with_feedback'").get().value, 1);
  db.close();
});

test('IccacheExampleSelector is a LangChain BaseExampleSelector', async () => {
  const { BaseExampleSelector } = require('@langchain/core/example_selectors');
  const { FewShotPromptTemplate, PromptTemplate } = require('@langchain/core/prompts');
  const db = new Database(':memory:');
  const selector = new iccache.IccacheExampleSelector({ db, k: 1, inputKey: 'question', outputKey: 'answer',
                                                        create: 'dim=64' });
  assert.ok(selector instanceof BaseExampleSelector);
  for (const [question, answer] of FACTS) await selector.addExample({ question, answer });
  assert.deepEqual(await selector.selectExamples({ question: 'How many legs has a spider?' }),
                   [{ question: FACTS[1][0], answer: FACTS[1][1] }]);
  await assert.rejects(selector.addExample({ question: 'x' }), /the example has no 'answer' key \(outputKey\)/);
  // In a few-shot prompt, as LangChain uses selectors.
  const prompt = new FewShotPromptTemplate({
    exampleSelector: selector,
    examplePrompt: PromptTemplate.fromTemplate('Q: {question}\nA: {answer}'),
    suffix: 'Q: {question}\nA:',
    inputVariables: ['question'],
  });
  assert.equal(await prompt.format({ question: 'Capital of Spain?' }),
               '\n\nQ: Capital of Spain?\nA: Madrid.\n\nQ: Capital of Spain?\nA:');  // LangChain joins an empty prefix too
  db.close();
});

test("README.md's block that requires iccache runs as written", () => {
  const { execFileSync } = require('node:child_process');
  const source = path.resolve(__dirname, '..', '..');
  const readme = fs.readFileSync(path.join(source, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => b.includes("require('iccache')"));
  assert.equal(blocks.length, 1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iccache-readme-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(path.join(source, 'node'), path.join(dir, 'node_modules', 'iccache'));  // as npm install would
  fs.writeFileSync(path.join(dir, 'readme.js'), blocks[0]);
  const out = execFileSync('node', ['readme.js'], { cwd: dir, encoding: 'utf8' });
  assert.equal(out, `${process.env.ICCACHE_EXTENSION}\n[ { question: 'What is the capital of France?', answer: 'Paris.' } ]\n`);
});
