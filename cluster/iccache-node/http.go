package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// httpCmd serves the cluster's SQL as JSON over HTTP, for languages without a dqlite client
// (Python: cluster/python/iccache_cluster.py). One request is one transaction:
//
//   POST /v1/sql  {"statements": [{"sql": "...", "args": [1, "x", null, {"base64": "..."}]}, ...]}
//   200  {"results": [{"columns": [...], "rows": [[...], ...]} | {"last_insert_id": N, "rows_affected": N}, ...]}
//   400  {"error": "...", "statement": i}       nothing of the request was committed
//   503  {"error": "..."}                        no leader reachable, or the commit's outcome is
//                                               unknown (a failover): check before retrying a write
//
// All statements run inside BEGIN ... COMMIT on the leader (the rule of docs/scale-out.md for
// SELECTs that write), through one connection, so requests run one at a time in arrival
// order; a 200 means the transaction is committed on a majority. Listen on loopback or a
// private network only: whoever reaches the port can run any SQL.
func httpCmd(args []string) error {
	fs := flag.NewFlagSet("http", flag.ExitOnError)
	cluster := fs.String("cluster", "", "comma-separated node addresses")
	dbname := fs.String("db", "cache", "database name in the cluster")
	listen := fs.String("listen", "127.0.0.1:8090", "HOST:PORT to serve HTTP on")
	fs.Parse(args)
	db, err := openCluster(*cluster, *dbname)
	if err != nil {
		return err
	}
	defer db.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/sql", func(w http.ResponseWriter, r *http.Request) { serveSQL(db, w, r) })
	srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Printf("iccache-node http: serving %s on http://%s/v1/sql\n", *dbname, *listen)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
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

func serveSQL(db *sql.DB, w http.ResponseWriter, r *http.Request) {
	reply := func(status int, v interface{}) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	if r.Method != http.MethodPost {
		reply(405, map[string]interface{}{"error": "use POST with a JSON body {\"statements\": [{\"sql\": ..., \"args\": [...]}]}"})
		return
	}
	var req sqlRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<20))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil || len(req.Statements) == 0 {
		msg := "the body must be JSON {\"statements\": [{\"sql\": \"...\", \"args\": [...]}]} with at least one statement"
		if err != nil {
			msg += fmt.Sprintf("; received invalid JSON: %v", err)
		}
		reply(400, map[string]interface{}{"error": msg})
		return
	}
	results, herr := runStatements(r.Context(), db, &req)
	if herr != nil {
		body := map[string]interface{}{"error": herr.msg}
		if herr.statement >= 0 {
			body["statement"] = herr.statement
		}
		reply(herr.status, body)
		return
	}
	reply(200, map[string]interface{}{"results": results})
}

func runStatements(ctx context.Context, db *sql.DB, req *sqlRequest) ([]interface{}, *httpError) {
	unavailable := func(err error) *httpError {
		return &httpError{503, fmt.Sprintf("the cluster is not available: %v", err), -1}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, unavailable(err)
	}
	var results []interface{}
	for i, st := range req.Statements {
		args := make([]interface{}, len(st.Args))
		for j, a := range st.Args {
			v, err := sqlArg(a)
			if err != nil {
				tx.Rollback()
				return nil, &httpError{400, fmt.Sprintf("argument %d: %v", j+1, err), i}
			}
			args[j] = v
		}
		if !returnsRows(st.SQL) {
			res, err := tx.ExecContext(ctx, st.SQL, args...)
			if err != nil {
				tx.Rollback()
				return nil, &httpError{400, err.Error(), i}
			}
			id, _ := res.LastInsertId()
			n, _ := res.RowsAffected()
			results = append(results, map[string]int64{"last_insert_id": id, "rows_affected": n})
			continue
		}
		rows, err := tx.QueryContext(ctx, st.SQL, args...)
		if err != nil {
			tx.Rollback()
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
				tx.Rollback()
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
			tx.Rollback()
			return nil, &httpError{400, err.Error(), i}
		}
		results = append(results, map[string]interface{}{"columns": cols, "rows": out})
	}
	if err := tx.Commit(); err != nil {
		// Lost leadership during a commit: the transaction may or may not have reached a
		// majority before (docs/scale-out.md, Consistency).
		return nil, &httpError{503, fmt.Sprintf("the commit did not complete, its outcome is unknown (leadership changed?): %v", err), -1}
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

