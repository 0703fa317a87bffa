package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/canonical/go-dqlite/client"
	"github.com/canonical/go-dqlite/driver"
)

// nodeStore lists the cluster's addresses for the driver; it finds the leader among them.
func nodeStore(cluster string) (client.NodeStore, []string, error) {
	addrs := strings.Split(cluster, ",")
	if cluster == "" || len(addrs) == 0 {
		return nil, nil, fmt.Errorf("--cluster is required: comma-separated node addresses such as 127.0.0.1:9001,127.0.0.1:9002")
	}
	infos := make([]client.NodeInfo, len(addrs))
	for i, a := range addrs {
		infos[i] = client.NodeInfo{Address: a}
	}
	store := client.NewInmemNodeStore()
	store.Set(context.Background(), infos)
	return store, addrs, nil
}

// openCluster opens database dbname through whichever node leads. One connection: every
// statement of this client runs on the same leader connection, so it keeps one in-memory
// index warm (a second connection would be a second copy of it on the leader).
func openCluster(cluster, dbname string) (*sql.DB, error) {
	store, _, err := nodeStore(cluster)
	if err != nil {
		return nil, err
	}
	opts := []driver.Option{}
	if os.Getenv("ICCACHE_NODE_TRACE") != "" { // driver and protocol messages on stderr
		opts = append(opts, driver.WithLogFunc(func(l client.LogLevel, format string, a ...interface{}) {
			fmt.Fprintf(os.Stderr, "%s %s: %s\n", time.Now().Format("15:04:05.000"), l, fmt.Sprintf(format, a...))
		}), driver.WithTracing(client.LogDebug))
	}
	drv, err := driver.New(store, append(opts,
		driver.WithConnectionTimeout(2*time.Second),
		driver.WithAttemptTimeout(500*time.Millisecond),
		driver.WithConnectionBackoffCap(100*time.Millisecond),
		driver.WithContextTimeout(5*time.Second))...)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(connector{drv, dbname})
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return db, nil
}

type connector struct {
	drv  *driver.Driver
	name string
}

func (c connector) Connect(ctx context.Context) (drvConn, error) { return c.drv.Open(c.name) }
func (c connector) Driver() drvDriver                            { return c.drv }

// sqlCmd runs each argument as one statement and prints result rows tab-separated.
func sqlCmd(args []string) error {
	fs, cluster := clientFlags("sql")
	dbname := fs.String("db", "cache", "database name in the cluster")
	fs.Parse(args)
	if fs.NArg() == 0 {
		return fmt.Errorf("expected one or more SQL statements after the flags")
	}
	db, err := openCluster(*cluster, *dbname)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, stmt := range fs.Args() {
		// dqlite answers statements that return rows (QUERY) and statements that do not
		// (EXEC) with different requests; a QUERY request for a CREATE fails.
		if !returnsRows(stmt) {
			if _, err := db.Exec(stmt); err != nil {
				return fmt.Errorf("%s: %v", stmt, err)
			}
			continue
		}
		// Inside BEGIN ... COMMIT: the statement may write (writeTx says why).
		tx, err := db.Begin()
		if err != nil {
			return fmt.Errorf("%s: %v", stmt, err)
		}
		rows, err := tx.Query(stmt)
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: %v", stmt, err)
		}
		cols, _ := rows.Columns()
		vals := make([]interface{}, len(cols))
		ptrs := make([]interface{}, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				tx.Rollback()
				return err
			}
			out := make([]string, len(vals))
			for i, v := range vals {
				switch x := v.(type) {
				case nil:
					out[i] = "NULL"
				case []byte:
					out[i] = string(x)
				default:
					out[i] = fmt.Sprint(x)
				}
			}
			fmt.Println(strings.Join(out, "\t"))
		}
		err = rows.Err()
		rows.Close()
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
		if err != nil {
			return fmt.Errorf("%s: %v", stmt, err)
		}
	}
	return nil
}

func returnsRows(stmt string) bool {
	f := strings.Fields(strings.ToUpper(stmt))
	if len(f) == 0 {
		return false
	}
	switch f[0] {
	case "SELECT", "WITH", "VALUES", "PRAGMA", "EXPLAIN":
		return true
	}
	return strings.Contains(strings.ToUpper(stmt), " RETURNING ")
}

// writeTx runs f in BEGIN ... COMMIT. Every write this client makes goes through an EXEC
// request or an explicit transaction, the paths dqlite documents for writes. A SELECT that
// writes (iccache_route, iccache_feedback) sent alone arrives as a QUERY request; in this
// project's tests dqlite 1.11 replicated those writes too, but the spike once saw a node abort
// after such requests ("src/vfs.c:1701: vfsFileShmLock: Assertion `wal->n_tx == 0' failed.",
// docs/scale-out.md), so serving code keeps them in a transaction.
func writeTx(db *sql.DB, f func(*sql.Tx) error) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// findLeader asks the nodes who leads and connects to it; "" while there is none.
func findLeader(store client.NodeStore, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cli, err := client.FindLeader(ctx, store)
	if err != nil {
		return "", err
	}
	defer cli.Close()
	info, err := cli.Leader(ctx)
	if err != nil {
		return "", err
	}
	if info == nil {
		return "", fmt.Errorf("no leader")
	}
	return info.Address, nil
}

// leaderCmd prints the leader's address. With --not it waits for a leader other than ADDR
// (the one just killed) and prints the seconds since --since as well.
func leaderCmd(args []string) error {
	fs, cluster, timeout := waitFlags("leader", 10)
	not := fs.String("not", "", "wait for a leader other than this address")
	since := fs.Int64("since", 0, "with --not: also print the seconds from this time (Unix nanoseconds) to the new leader")
	fs.Parse(args)
	store, _, err := nodeStore(*cluster)
	if err != nil {
		return err
	}
	var addr string
	err = poll(*timeout, 20*time.Millisecond, func() (bool, error) {
		a, err := findLeader(store, 500*time.Millisecond)
		if err != nil {
			return false, err
		}
		addr = a
		if a == *not {
			return false, fmt.Errorf("the leader is still %s", a)
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("no leader within %.1f s: %v", *timeout, err)
	}
	if *since != 0 {
		fmt.Printf("%s %.3f\n", addr, float64(time.Now().UnixNano()-*since)/1e9)
	} else {
		fmt.Println(addr)
	}
	return nil
}

// waitCmd waits until the cluster has N voters, all reachable.
func waitCmd(args []string) error {
	fs, cluster, timeout := waitFlags("wait", 30)
	voters := fs.Int("voters", 3, "voters to wait for")
	fs.Parse(args)
	store, _, err := nodeStore(*cluster)
	if err != nil {
		return err
	}
	err = poll(*timeout, 100*time.Millisecond, func() (bool, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		cli, err := client.FindLeader(ctx, store)
		if err != nil {
			return false, fmt.Errorf("no leader yet")
		}
		nodes, err := cli.Cluster(ctx)
		cli.Close()
		if err != nil {
			return false, fmt.Errorf("no leader yet")
		}
		n := 0
		for _, nd := range nodes {
			if nd.Role == client.Voter && reachable(nd.Address) {
				n++
			}
		}
		if n < *voters {
			return false, fmt.Errorf("%d voters online", n)
		}
		fmt.Println(strconv.Itoa(n) + " voters online")
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("the cluster did not reach %d voters within %.0f s (%v)", *voters, *timeout, err)
	}
	return nil
}

func reachable(addr string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	cli, err := client.New(ctx, addr)
	if err != nil {
		return false
	}
	cli.Close()
	return true
}

func fatalf(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", a...)
	os.Exit(1)
}
