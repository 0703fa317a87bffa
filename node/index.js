'use strict';
// iccache for Node: load the extension into a better-sqlite3 (12) connection, and
// IccacheExampleSelector, a LangChain example selector (BaseExampleSelector of
// @langchain/core) backed by an iccache table.
//
//   const Database = require('better-sqlite3');
//   const iccache = require('iccache');
//   const db = new Database('cache.db');
//   iccache.load(db);             // returns the path of the iccache.so it loaded
const fs = require('node:fs');
const path = require('node:path');

// The iccache.so to load: $ICCACHE_EXTENSION; one shipped inside this package; the one
// `cmake --install` put next to it (<prefix>/share/iccache/node -> <prefix>/lib*/iccache);
// the source tree's build/iccache.so.
function getLoadablePath() {
  if (process.env.ICCACHE_EXTENSION) return process.env.ICCACHE_EXTENSION;
  const prefix = path.resolve(__dirname, '..', '..', '..');
  const candidates = [path.join(__dirname, 'iccache.so')];
  for (const dir of fs.existsSync(prefix) ? fs.readdirSync(prefix) : []) {
    if (dir.startsWith('lib')) {
      candidates.push(path.join(prefix, dir, 'iccache', 'iccache.so'));
      const multiarch = path.join(prefix, dir);
      for (const sub of fs.statSync(multiarch).isDirectory() ? fs.readdirSync(multiarch) : []) {
        candidates.push(path.join(multiarch, sub, 'iccache', 'iccache.so'));
      }
    }
  }
  candidates.push(path.resolve(__dirname, '..', 'build', 'iccache.so'));
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) {
    throw new Error(`cannot find iccache.so (looked in ${candidates.join(', ')}); build it with ` +
                    'scripts/build.sh, install it with cmake --install, or set ICCACHE_EXTENSION');
  }
  return found;
}

// Loads iccache into db (a better-sqlite3 Database) and returns the path it loaded.
function load(db, file) {
  if (!db || typeof db.loadExtension !== 'function') {
    throw new TypeError('iccache.load expects a better-sqlite3 Database (version 12 or later)');
  }
  const p = file || getLoadablePath();
  db.loadExtension(p);
  return p;
}

function quote(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

let selectorClass = null;
function exampleSelectorClass() {
  if (selectorClass) return selectorClass;
  let BaseExampleSelector;
  try {
    ({ BaseExampleSelector } = require('@langchain/core/example_selectors'));
  } catch (e) {
    throw new Error('IccacheExampleSelector needs @langchain/core (npm install @langchain/core): ' + e.message);
  }
  // Examples are objects {[inputKey]: request, [outputKey]: response}; selection is the
  // table's MATCH (nearest neighbours ranked by learned utility), k examples, best first.
  class IccacheExampleSelector extends BaseExampleSelector {
    constructor({ db, table = 'ex', k = 4, inputKey, outputKey = 'output', tenant = null, model = null,
                  quality = null, create = '' } = {}) {
      super({});
      if (!db) throw new TypeError('IccacheExampleSelector expects { db: a better-sqlite3 Database, ... }');
      this.db = db;
      this.table = table;
      this.k = k;
      this.inputKey = inputKey;
      this.outputKey = outputKey;
      this.tenant = tenant;
      this.model = model;
      this.quality = quality;
      const loaded = db.prepare("SELECT 1 FROM pragma_function_list WHERE name = 'iccache_feedback'").get();
      if (!loaded) load(db);
      const exists = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table);
      if (!exists && create !== null) db.exec(`CREATE VIRTUAL TABLE ${quote(table)} USING iccache(${create})`);
    }

    inputText(vars) {
      if (this.inputKey !== undefined) {
        if (!(this.inputKey in vars)) {
          throw new Error(`the example or input has no '${this.inputKey}' key (inputKey); received keys ` +
                          Object.keys(vars).sort().join(', '));
        }
        return String(vars[this.inputKey]);
      }
      return Object.keys(vars).sort().filter((k) => k !== this.outputKey).map((k) => String(vars[k])).join(' ');
    }

    async addExample(example) {
      if (!(this.outputKey in example)) {
        throw new Error(`the example has no '${this.outputKey}' key (outputKey); received keys ` +
                        Object.keys(example).sort().join(', '));
      }
      const info = this.db.prepare(`INSERT INTO ${quote(this.table)}(request, response, model, quality, tenant) ` +
                                   "VALUES (?, ?, ?, ?, ifnull(?, ''))")
        .run(this.inputText(example), String(example[this.outputKey]), this.model, this.quality, this.tenant);
      return Number(info.lastInsertRowid);
    }

    async selectExamples(inputVariables) {
      const t = quote(this.table);
      let sql = `SELECT request, response FROM ${t} WHERE ${t} MATCH ? AND k = ?`;
      const params = [this.inputText(inputVariables), this.k];
      if (this.tenant !== null) {
        sql += ' AND tenant = ?';
        params.push(this.tenant);
      }
      const key = this.inputKey === undefined ? 'input' : this.inputKey;
      return this.db.prepare(sql).all(...params).map((r) => ({ [key]: r.request, [this.outputKey]: r.response }));
    }
  }
  selectorClass = IccacheExampleSelector;
  return selectorClass;
}

module.exports = { load, getLoadablePath };
// Resolved on first use, so load() works without @langchain/core installed.
Object.defineProperty(module.exports, 'IccacheExampleSelector', { enumerable: true, get: exampleSelectorClass });
