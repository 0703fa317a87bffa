package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/canonical/go-dqlite/app"
	"github.com/canonical/go-dqlite/client"
)

// serveCmd hosts one node until SIGTERM or SIGINT, then hands leadership over and leaves.
func serveCmd(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	dir := fs.String("dir", "", "data directory of this node (created if missing; keeps its Raft log and snapshots)")
	address := fs.String("address", "", "HOST:PORT this node listens on and is known by in the cluster")
	join := fs.String("join", "", "comma-separated addresses of existing nodes to join (ignored once the node has joined)")
	latency := fs.Duration("latency", 60*time.Millisecond, "one-way network latency: dqlite sends heartbeats every 1.5x and starts an election after 15x to 30x it without one (a statement must finish within 15x)")
	verbose := fs.Bool("verbose", false, "log dqlite's info messages as well as warnings and errors")
	threads := fs.Int("threads", 1, "OpenMP threads for iccache's training and search (OMP_NUM_THREADS, when it is not set)")
	fs.Parse(args)
	// dqlite runs every statement on its one event-loop thread, the thread that also sends
	// heartbeats. OpenMP worker threads (FAISS k-means when an IVF index trains) spin on a
	// busy machine: measured here, training a 256-example table took 2.6 to 3.0 s with 2
	// threads under load and 0.04 s with 1, and a statement longer than the election timeout
	// costs the node its leadership. libgomp reads OMP_NUM_THREADS when it loads, before
	// main, so the setting takes a re-exec.
	if os.Getenv("OMP_NUM_THREADS") == "" {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		env := append(os.Environ(), fmt.Sprintf("OMP_NUM_THREADS=%d", *threads))
		return syscall.Exec(self, os.Args, env)
	}
	if *dir == "" || *address == "" {
		return fmt.Errorf("--dir and --address are required; expected e.g. --dir /var/lib/iccache/n1 --address 127.0.0.1:9001")
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	if err := registerIccache(); err != nil {
		return err
	}
	opts := []app.Option{
		app.WithAddress(*address),
		app.WithNetworkLatency(*latency),
		app.WithLogFunc(func(l client.LogLevel, format string, a ...interface{}) {
			if l >= client.LogWarn || *verbose {
				fmt.Fprintf(os.Stderr, "%s %s: %s\n", time.Now().Format("15:04:05.000"), l, fmt.Sprintf(format, a...))
			}
		}),
	}
	if *join != "" {
		opts = append(opts, app.WithCluster(strings.Split(*join, ",")))
	}
	node, err := app.New(*dir, opts...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := node.Ready(ctx); err != nil {
		node.Close()
		return fmt.Errorf("the node did not become ready within 60 s (are the peers in --join reachable?): %v", err)
	}
	fmt.Printf("iccache-node: ready, id %d, address %s\n", node.ID(), node.Address())

	<-stopSignals()
	hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer hcancel()
	node.Handover(hctx) // best effort: a leader transfers leadership before it leaves
	return node.Close()
}
