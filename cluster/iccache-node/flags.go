package main

import (
	"flag"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// clientFlags starts the flag set of a subcommand that talks to a running cluster, with the
// --cluster flag they all take (comma-separated node addresses, as openCluster and nodeStore
// read them).
func clientFlags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	return fs, fs.String("cluster", "", "comma-separated node addresses")
}

// waitFlags: clientFlags plus the --timeout (seconds, default `seconds`) of the subcommands
// that wait for the cluster to reach a state (leader, wait).
func waitFlags(name string, seconds float64) (*flag.FlagSet, *string, *float64) {
	fs, cluster := clientFlags(name)
	return fs, cluster, fs.Float64("timeout", seconds, "give up after this many seconds")
}

// stopSignals delivers SIGTERM and SIGINT: the two ways a node or the HTTP bridge is asked to
// leave cleanly.
func stopSignals() <-chan os.Signal {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	return sig
}

// poll calls try every `every` until it reports done or `seconds` (a --timeout) have passed,
// trying at least once. It returns nil when done, else try's last note on why not.
func poll(seconds float64, every time.Duration, try func() (done bool, note error)) error {
	deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	for {
		done, note := try()
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return note
		}
		time.Sleep(every)
	}
}
