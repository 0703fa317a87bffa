package main

import (
	"database/sql"
	"sync"
)

// groupWriter is the ingestion path for many concurrent writers to one cluster: dqlite runs
// one write transaction at a time and does not queue the others (they get "database is
// locked"), and each commit costs a Raft round (log append on a majority, fsync included).
// So one goroutine takes every insert waiting (up to max) into a single transaction; each
// caller returns when the transaction holding its row has committed: an acknowledged write.
type groupWriter struct {
	db      *sql.DB
	stmt    string
	max     int
	reqs    chan groupReq
	done    sync.WaitGroup
	commits int
}

type groupReq struct {
	args []interface{}
	ack  chan error
}

func newGroupWriter(db *sql.DB, stmt string, max int) *groupWriter {
	g := &groupWriter{db: db, stmt: stmt, max: max, reqs: make(chan groupReq, 4*max)}
	g.done.Add(1)
	go g.run()
	return g
}

// insert runs the statement with args in the next group and waits for its commit.
func (g *groupWriter) insert(args ...interface{}) error {
	ack := make(chan error, 1)
	g.reqs <- groupReq{args, ack}
	return <-ack
}

func (g *groupWriter) close() {
	close(g.reqs)
	g.done.Wait()
}

func (g *groupWriter) run() {
	defer g.done.Done()
	for first := range g.reqs {
		batch := []groupReq{first}
	fill:
		for len(batch) < g.max {
			select {
			case r, ok := <-g.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		err := writeTx(g.db, func(tx *sql.Tx) error {
			for _, r := range batch {
				if _, err := tx.Exec(g.stmt, r.args...); err != nil {
					return err
				}
			}
			return nil
		})
		g.commits++
		for _, r := range batch {
			r.ack <- err // one row's error fails its whole group: none of it was committed
		}
	}
}
