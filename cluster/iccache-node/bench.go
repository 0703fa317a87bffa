package main

import (
	"database/sql"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // the local-file baseline, on the same libsqlite3 and iccache
)

// benchCmd measures, through the cluster and against a local file with the same client stack
// (database/sql, one connection, iccache registered in this process for the local file):
// acknowledged inserts per second (autocommit, one client; transactions of 10; several
// clients at once on the cluster) and MATCH latency percentiles.
func benchCmd(args []string) error {
	fs, cluster := clientFlags("bench")
	local := fs.String("local", "", "path of a local SQLite file for the baseline (deleted and recreated)")
	n := fs.Int("n", 2000, "examples inserted one statement at a time (and again in transactions of 10)")
	queries := fs.Int("queries", 300, "MATCH queries timed")
	clients := fs.Int("clients", 4, "concurrent clients, each with its own connection, inserting in autocommit")
	producers := fs.Int("producers", 32, "concurrent producers sharing one group-commit writer")
	dim := fs.Int("dim", 256, "vector dimension")
	fs.Parse(args)
	if *local == "" {
		return fmt.Errorf("--local FILE is required (the baseline's database file)")
	}
	if err := registerIccache(); err != nil {
		return err
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(*local + suffix)
	}
	ldb, err := sql.Open("sqlite3", "file:"+*local+"?_journal_mode=WAL&_synchronous=FULL")
	if err != nil {
		return err
	}
	ldb.SetMaxOpenConns(1)
	defer ldb.Close()
	cdb, err := openCluster(*cluster, "bench")
	if err != nil {
		return err
	}
	defer cdb.Close()

	fmt.Printf("bench: %d examples per run, dim %d, hash embedder, MATCH k = 5 over %d queries\n", *n, *dim, *queries)
	fmt.Printf("bench: cluster %s (database bench); local file %s (WAL, synchronous=FULL)\n", *cluster, *local)
	results := map[string]float64{}
	for _, side := range []struct {
		name string
		db   *sql.DB
	}{{"cluster", cdb}, {"local", ldb}} {
		db := side.db
		db.Exec("DROP TABLE IF EXISTS b")
		db.Exec("DROP TABLE IF EXISTS bt")
		for _, t := range []string{"b", "bt"} {
			if _, err := db.Exec(fmt.Sprintf("CREATE VIRTUAL TABLE %s USING iccache(dim=%d, embedder='hash')", t, *dim)); err != nil {
				return fmt.Errorf("%s: create %s: %v", side.name, t, err)
			}
		}
		start := time.Now()
		for i := 0; i < *n; i++ {
			req, resp := exampleText("bench", i)
			if _, err := db.Exec("INSERT INTO b(request, response) VALUES (?, ?)", req, resp); err != nil {
				return fmt.Errorf("%s: insert: %v", side.name, err)
			}
		}
		results[side.name+".auto"] = float64(*n) / time.Since(start).Seconds()
		start = time.Now()
		for i := 0; i < *n; i += 10 {
			err := writeTx(db, func(tx *sql.Tx) error {
				for j := i; j < i+10 && j < *n; j++ {
					req, resp := exampleText("bench", j)
					if _, err := tx.Exec("INSERT INTO bt(request, response) VALUES (?, ?)", req, resp); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("%s: insert in a transaction: %v", side.name, err)
			}
		}
		results[side.name+".tx10"] = float64(*n) / time.Since(start).Seconds()
		var lat []float64
		for i := 0; i < *queries; i++ {
			q := fmt.Sprintf("how to %s %s about %s", verbs[i%len(verbs)], things[(i*3)%len(things)], topics[(i*5)%len(topics)])
			t0 := time.Now()
			if _, _, err := matchRows(db, "b", q, 5); err != nil {
				return fmt.Errorf("%s: MATCH: %v", side.name, err)
			}
			lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
		}
		sort.Float64s(lat)
		results[side.name+".p50"] = lat[len(lat)/2]
		results[side.name+".p95"] = lat[len(lat)*95/100]
	}

	fmt.Printf("inserts/s, one client, autocommit:    cluster %8.0f   local %8.0f\n", results["cluster.auto"], results["local.auto"])
	fmt.Printf("inserts/s, one client, 10 per commit: cluster %8.0f   local %8.0f\n", results["cluster.tx10"], results["local.tx10"])
	fmt.Printf("MATCH ms p50 / p95:                   cluster %.3f / %.3f   local %.3f / %.3f   (p50 difference %.3f ms)\n",
		results["cluster.p50"], results["cluster.p95"], results["local.p50"], results["local.p95"], results["cluster.p50"]-results["local.p50"])

	// Several clients inserting at once: each its own connection (its own leader connection).
	// dqlite does not wait for the write lock: a second writer gets "database is locked" at
	// once and retries (counted).: each its own connection (its own leader connection).
	var wg sync.WaitGroup
	var retries int64
	errs := make(chan error, *clients)
	cdb.Exec("DROP TABLE IF EXISTS bc")
	if _, err := cdb.Exec(fmt.Sprintf("CREATE VIRTUAL TABLE bc USING iccache(dim=%d, embedder='hash')", *dim)); err != nil {
		return err
	}
	start := time.Now()
	per := *n / *clients
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			db, err := openCluster(*cluster, "bench")
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			for i := c * per; i < (c+1)*per; i++ {
				req, resp := exampleText("bench", i)
				for {
					_, err := db.Exec("INSERT INTO bc(request, response) VALUES (?, ?)", req, resp)
					if err == nil {
						break
					}
					if !strings.Contains(err.Error(), "database is locked") {
						errs <- err
						return
					}
					atomic.AddInt64(&retries, 1)
					time.Sleep(time.Millisecond)
				}
			}
		}(c)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fmt.Errorf("cluster: concurrent insert: %v", err)
	}
	concurrent := float64(per**clients) / time.Since(start).Seconds()

	fmt.Printf("inserts/s, %d clients, autocommit:     cluster %8.0f   (%d retries after \"database is locked\")\n", *clients, concurrent, retries)

	// The same clients through one group-commit writer: it takes whatever inserts are
	// waiting (up to 64) into one transaction and acknowledges each when that commits.
	cdb.Exec("DROP TABLE IF EXISTS bg")
	if _, err := cdb.Exec(fmt.Sprintf("CREATE VIRTUAL TABLE bg USING iccache(dim=%d, embedder='hash')", *dim)); err != nil {
		return err
	}
	gw := newGroupWriter(cdb, "INSERT INTO bg(request, response) VALUES (?, ?)", 64)
	gper := *n / *producers
	start = time.Now()
	var gerr error
	var mu sync.Mutex
	for c := 0; c < *producers; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := c * gper; i < (c+1)*gper; i++ {
				req, resp := exampleText("bench", i)
				if err := gw.insert(req, resp); err != nil {
					mu.Lock()
					gerr = err
					mu.Unlock()
					return
				}
			}
		}(c)
	}
	wg.Wait()
	gw.close()
	if gerr != nil {
		return fmt.Errorf("cluster: group commit: %v", gerr)
	}
	grouped := float64(gper**producers) / time.Since(start).Seconds()
	var count int
	cdb.QueryRow("SELECT count(*) FROM bg").Scan(&count)
	fmt.Printf("inserts/s, %d producers, group commit: cluster %8.0f   (%d commits, %d rows present of %d acknowledged)\n",
		*producers, grouped, gw.commits, count, gper**producers)
	return nil
}
