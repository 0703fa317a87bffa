// iccache-node: one dqlite node with iccache registered in its SQLite, and the client
// commands that serving code and tests/cluster/failover.sh use against a cluster of them.
// docs/scale-out.md describes the topology, consistency and failover.
package main

import (
	"fmt"
	"os"
)

const usage = `usage: iccache-node COMMAND [flags]

  serve     --dir D --address HOST:PORT [--join A,B,...]   host one node (joins A,B when new)
  sql       --cluster A,B,C [--db cache] SQL...             run statements through the leader
  leader    --cluster A,B,C [--not ADDR --since UNIX_NS --timeout S]
                                                            print the leader's address
  wait      --cluster A,B,C --voters N [--timeout S]        wait until N voters are online
  workload  --cluster A,B,C --acked FILE --baseline FILE --stop FILE   the failover client
  check     --cluster A,B,C --acked FILE --baseline FILE    acknowledged writes, selections, integrity
  bench     --cluster A,B,C --local FILE [--n N]            inserts/s and MATCH p50, cluster vs local
  http      --cluster A,B,C [--listen 127.0.0.1:8090]       SQL as JSON over HTTP (Python client)

Run "iccache-node COMMAND -h" for a command's flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{
		"serve": serveCmd, "sql": sqlCmd, "leader": leaderCmd, "wait": waitCmd,
		"workload": workloadCmd, "check": checkCmd, "bench": benchCmd, "http": httpCmd,
	}
	run, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "iccache-node: unknown command '%s'\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err := run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "iccache-node %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
