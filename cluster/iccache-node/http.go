package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"
)

// httpCmd serves the cluster's SQL as JSON over HTTP, for languages without a dqlite client
// (Python: cli/iccache_cluster.py). One request is one transaction:
//
//	POST /v1/sql  {"statements": [{"sql": "...", "args": [1, "x", null, {"base64": "..."}]}, ...]}
//	200  {"results": [{"columns": [...], "rows": [[...], ...]} | {"last_insert_id": N, "rows_affected": N}, ...]}
//	400  {"error": "...", "statement": i}       nothing of the request was committed
//	503  {"error": "..."}                        no leader reachable, or the commit's outcome is
//	                                            unknown (a failover): check before retrying a write
//
// All statements run inside BEGIN ... COMMIT on the leader (the rule of docs/scale-out.md for
// SELECTs that write), through one connection, so requests run one at a time in arrival
// order; a 200 means the transaction is committed on a majority.
//
// A transaction that needs the client's logic between statements (read, decide, write):
//
//	POST /v1/begin                                  200 {"tx": "ID"}
//	POST /v1/sql {"tx": "ID", "statements": [...]}  runs them in that transaction, no commit
//	POST /v1/commit {"tx": "ID"}  |  POST /v1/rollback {"tx": "ID"}
//
// A failed statement rolls the transaction back (400); one left idle for 30 s is rolled back.
// While it is open, other requests wait (one connection). Listen on loopback or a private
// network only: whoever reaches the port can run any SQL.
func httpCmd(args []string) error {
	fs, cluster := clientFlags("http")
	dbname := fs.String("db", "cache", "database name in the cluster")
	listen := fs.String("listen", "127.0.0.1:8090", "HOST:PORT to serve HTTP on")
	fs.Parse(args)
	db, err := openCluster(*cluster, *dbname)
	if err != nil {
		return err
	}
	defer db.Close()
	b := &bridge{db: db, txs: map[string]*openTx{}}
	go b.reap()
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/sql", b.serveSQL)
	mux.HandleFunc("/v1/begin", b.serveBegin)
	mux.HandleFunc("/v1/commit", func(w http.ResponseWriter, r *http.Request) { b.serveEnd(w, r, true) })
	mux.HandleFunc("/v1/rollback", func(w http.ResponseWriter, r *http.Request) { b.serveEnd(w, r, false) })
	srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Printf("iccache-node http: serving %s on http://%s/v1/sql\n", *dbname, *listen)
	sig := stopSignals()
	select {
	case err := <-errc:
		return err
	case <-sig:
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(ctx)
	}
}

type sqlRequest struct {
	Tx         string `json:"tx"`
	Statements []struct {
		SQL  string        `json:"sql"`
		Args []interface{} `json:"args"`
	} `json:"statements"`
}

type httpError struct {
	status    int
	msg       string
	statement int
}

// bridge holds the open interactive transactions.
type bridge struct {
	db  *sql.DB
	mu  sync.Mutex
	txs map[string]*openTx
}

type openTx struct {
	mu   sync.Mutex // one request at a time on a transaction
	tx   *sql.Tx
	last time.Time
	done bool
}

const txIdle = 30 * time.Second

func reply(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func decodeBody(w http.ResponseWriter, r *http.Request, v interface{}) bool {
	if r.Method != http.MethodPost {
		reply(w, 405, map[string]interface{}{"error": "use POST with a JSON body (docs/scale-out.md)"})
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<20))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		reply(w, 400, map[string]interface{}{"error": fmt.Sprintf("the body is not valid JSON: %v", err)})
		return false
	}
	return true
}

// take finds an open transaction and locks it; nil (after replying 400) when unknown.
func (b *bridge) take(w http.ResponseWriter, id string) *openTx {
	b.mu.Lock()
	t := b.txs[id]
	b.mu.Unlock()
	if t != nil {
		t.mu.Lock()
		if !t.done {
			t.last = time.Now()
			return t
		}
		t.mu.Unlock()
	}
	reply(w, 400, map[string]interface{}{"error": fmt.Sprintf("no open transaction '%s'; expected an id from /v1/begin (a transaction idle for %v, or after a failed statement, is rolled back)", id, txIdle)})
	return nil
}

func (b *bridge) finish(id string, t *openTx, commit bool) error {
	t.done = true
	b.mu.Lock()
	delete(b.txs, id)
	b.mu.Unlock()
	if commit {
		return t.tx.Commit()
	}
	return t.tx.Rollback()
}

func (b *bridge) reap() {
	for range time.Tick(time.Second) {
		b.mu.Lock()
		var idle []string
		for id, t := range b.txs {
			if t.mu.TryLock() {
				if time.Since(t.last) > txIdle {
					idle = append(idle, id)
				}
				t.mu.Unlock()
			}
		}
		b.mu.Unlock()
		for _, id := range idle {
			b.mu.Lock()
			t := b.txs[id]
			b.mu.Unlock()
			if t != nil && t.mu.TryLock() {
				if !t.done {
					b.finish(id, t, false)
					fmt.Fprintf(os.Stderr, "iccache-node http: rolled back transaction %s, idle for %v\n", id, txIdle)
				}
				t.mu.Unlock()
			}
		}
	}
}

func (b *bridge) serveBegin(w http.ResponseWriter, r *http.Request) {
	var req struct{}
	if !decodeBody(w, r, &req) {
		return
	}
	tx, err := b.db.BeginTx(context.Background(), nil) // outlives this request
	if err != nil {
		reply(w, 503, map[string]interface{}{"error": fmt.Sprintf("the cluster is not available: %v", err)})
		return
	}
	var raw [12]byte
	rand.Read(raw[:])
	id := hex.EncodeToString(raw[:])
	b.mu.Lock()
	b.txs[id] = &openTx{tx: tx, last: time.Now()}
	b.mu.Unlock()
	reply(w, 200, map[string]interface{}{"tx": id})
}

func (b *bridge) serveEnd(w http.ResponseWriter, r *http.Request, commit bool) {
	var req struct {
		Tx string `json:"tx"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	t := b.take(w, req.Tx)
	if t == nil {
		return
	}
	defer t.mu.Unlock()
	if err := b.finish(req.Tx, t, commit); err != nil {
		reply(w, 503, map[string]interface{}{"error": fmt.Sprintf("the commit did not complete, its outcome is unknown (leadership changed?): %v", err)})
		return
	}
	reply(w, 200, map[string]interface{}{})
}

func (b *bridge) serveSQL(w http.ResponseWriter, r *http.Request) {
	var req sqlRequest
	if !decodeBody(w, r, &req) {
		return
	}
	if len(req.Statements) == 0 {
		reply(w, 400, map[string]interface{}{"error": "the body must be JSON {\"statements\": [{\"sql\": \"...\", \"args\": [...]}]} with at least one statement"})
		return
	}
	var results []interface{}
	var herr *httpError
	if req.Tx != "" {
		t := b.take(w, req.Tx)
		if t == nil {
			return
		}
		results, herr = runIn(r.Context(), t.tx, &req)
		if herr != nil {
			b.finish(req.Tx, t, false)
		}
		t.mu.Unlock()
	} else {
		results, herr = runStatements(r.Context(), b.db, &req)
	}
	if herr != nil {
		body := map[string]interface{}{"error": herr.msg}
		if herr.statement >= 0 {
			body["statement"] = herr.statement
		}
		reply(w, herr.status, body)
		return
	}
	reply(w, 200, map[string]interface{}{"results": results})
}

func runStatements(ctx context.Context, db *sql.DB, req *sqlRequest) ([]interface{}, *httpError) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, &httpError{503, fmt.Sprintf("the cluster is not available: %v", err), -1}
	}
	results, herr := runIn(ctx, tx, req)
	if herr != nil {
		tx.Rollback()
		return nil, herr
	}
	if err := tx.Commit(); err != nil {
		// Lost leadership during a commit: the transaction may or may not have reached a
		// majority before (docs/scale-out.md, Consistency).
		return nil, &httpError{503, fmt.Sprintf("the commit did not complete, its outcome is unknown (leadership changed?): %v", err), -1}
	}
	return results, nil
}

// runIn runs the statements in tx; the caller commits or rolls back.
func runIn(ctx context.Context, tx *sql.Tx, req *sqlRequest) ([]interface{}, *httpError) {
	var results []interface{}
	for i, st := range req.Statements {
		args := make([]interface{}, len(st.Args))
		for j, a := range st.Args {
			v, err := sqlArg(a)
			if err != nil {
				return nil, &httpError{400, fmt.Sprintf("argument %d: %v", j+1, err), i}
			}
			args[j] = v
		}
		if !returnsRows(st.SQL) {
			res, err := tx.ExecContext(ctx, st.SQL, args...)
			if err != nil {
				return nil, &httpError{400, err.Error(), i}
			}
			id, _ := res.LastInsertId()
			n, _ := res.RowsAffected()
			results = append(results, map[string]int64{"last_insert_id": id, "rows_affected": n})
			continue
		}
		rows, err := tx.QueryContext(ctx, st.SQL, args...)
		if err != nil {
			return nil, &httpError{400, err.Error(), i}
		}
		cols, _ := rows.Columns()
		out := [][]interface{}{}
		for rows.Next() {
			vals := make([]interface{}, len(cols))
			ptrs := make([]interface{}, len(cols))
			for k := range vals {
				ptrs[k] = &vals[k]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, &httpError{400, err.Error(), i}
			}
			for k, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[k] = map[string]string{"base64": base64.StdEncoding.EncodeToString(b)}
				}
			}
			out = append(out, vals)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, &httpError{400, err.Error(), i}
		}
		results = append(results, map[string]interface{}{"columns": cols, "rows": out})
	}
	return results, nil
}

// sqlArg maps a JSON value to a SQL value: integers stay integers, {"base64": "..."} is a BLOB.
func sqlArg(a interface{}) (interface{}, error) {
	switch v := a.(type) {
	case nil, string, bool:
		return v, nil
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, nil
		}
		return v.Float64()
	case map[string]interface{}:
		if s, ok := v["base64"].(string); ok && len(v) == 1 {
			return base64.StdEncoding.DecodeString(s)
		}
	}
	return nil, fmt.Errorf("expected a string, a number, true/false, null or {\"base64\": \"...\"}; received %v", a)
}
