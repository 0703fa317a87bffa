package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The failover workload (tests/cluster/failover.sh). Two iccache tables in database "cache":
//   fixed  loaded, trained (IVF) and given routed feedback once, then only read: the MATCH
//          answers for fixedQueries are the baseline that must survive every failover;
//   ex     the stream: insert an example, MATCH for a request, route it, give feedback,
//          again and again while leaders are killed. An insert counts as acknowledged when
//          its COMMIT returned; the client appends its rowid to --acked at that moment.

var topics = []string{"apples", "trains", "taxes", "python", "weather", "chess", "recipes", "planets",
	"guitars", "vaccines", "bridges", "poetry", "soccer", "volcanoes", "bitcoin", "gardens"}
var verbs = []string{"count", "compare", "explain", "price", "repair", "schedule", "translate", "measure"}
var things = []string{"baskets", "tickets", "receipts", "scripts", "forecasts", "openings", "sauces",
	"orbits", "strings", "doses", "cables", "sonnets", "goals", "craters", "wallets", "seeds"}

func exampleText(kind string, i int) (string, string) {
	t := topics[i%len(topics)]
	v := verbs[(i/len(topics))%len(verbs)]
	th := things[(i*7+3)%len(things)]
	req := fmt.Sprintf("%s %d: how do I %s the %s of %s for %d people", kind, i, v, th, t, i%13+2)
	resp := fmt.Sprintf("To %s %s of %s for %d people, start with step %d.", v, th, t, i%13+2, i%5+1)
	return req, resp
}

func fixedQueries() []string {
	q := make([]string, 0, 16)
	for i := 0; i < 16; i++ {
		q = append(q, fmt.Sprintf("how can I %s %s about %s", verbs[i%len(verbs)], things[(i*5)%len(things)], topics[(i*3)%len(topics)]))
	}
	return q
}

const fixedRows = 320

// selection is one MATCH answer: rowids best first and their similarities (6 decimals).
type selection struct {
	Query string   `json:"query"`
	Rows  []string `json:"rows"`
}

func matchRows(db *sql.DB, table, query string, k int) ([]int64, []string, error) {
	rows, err := db.Query("SELECT rowid, similarity FROM "+table+" WHERE "+table+" MATCH ? AND k = ?", query, k)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var ids []int64
	var out []string
	for rows.Next() {
		var id int64
		var sim float64
		if err := rows.Scan(&id, &sim); err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
		out = append(out, fmt.Sprintf("%d:%.6f", id, sim))
	}
	return ids, out, rows.Err()
}

func selections(db *sql.DB) ([]selection, error) {
	var all []selection
	for _, q := range fixedQueries() {
		_, rows, err := matchRows(db, "fixed", q, 5)
		if err != nil {
			return nil, fmt.Errorf("MATCH on fixed: %v", err)
		}
		all = append(all, selection{q, rows})
	}
	return all, nil
}

// routeAndFeedback routes request with the given examples and sends a reward for the decision.
// Both are SELECTs that write: on dqlite they must run inside BEGIN ... COMMIT (writeTx).
func routeAndFeedback(db *sql.DB, table, request string, ids []int64, reward float64) error {
	js, _ := json.Marshal(ids)
	if len(ids) == 0 {
		js = []byte("[]")
	}
	var decision int64
	var model string
	err := writeTx(db, func(tx *sql.Tx) error {
		return tx.QueryRow("SELECT decision, model FROM iccache_route(?, ?, ?)", table, request, string(js)).Scan(&decision, &model)
	})
	if err != nil {
		return fmt.Errorf("iccache_route: %v", err)
	}
	err = writeTx(db, func(tx *sql.Tx) error {
		var null sql.NullString
		return tx.QueryRow("SELECT iccache_feedback(?, ?, ?)", table, decision, reward).Scan(&null)
	})
	if err != nil {
		return fmt.Errorf("iccache_feedback: %v", err)
	}
	return nil
}

func setupFixed(db *sql.DB) error {
	if _, err := db.Exec("CREATE VIRTUAL TABLE fixed USING iccache(dim=128, embedder='hash', ivf_min=256, models='small:0.1,large:1.0')"); err != nil {
		return fmt.Errorf("create fixed: %v", err)
	}
	if _, err := db.Exec("CREATE VIRTUAL TABLE ex USING iccache(dim=128, embedder='hash', models='small:0.1,large:1.0')"); err != nil {
		return fmt.Errorf("create ex: %v", err)
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	for i := 0; i < fixedRows; i++ {
		req, resp := exampleText("fixed", i)
		model := "large"
		if i%3 == 0 {
			model = "small"
		}
		if _, err := tx.Exec("INSERT INTO fixed(request, response, model, quality) VALUES (?, ?, ?, ?)", req, resp, model, 0.5+float64(i%5)/10); err != nil {
			tx.Rollback()
			return fmt.Errorf("insert into fixed: %v", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// Routed feedback trains fixed's router and labels its selection samples.
	for i := 0; i < 48; i++ {
		q := fixedQueries()[i%16] + fmt.Sprintf(" (variant %d)", i)
		ids, _, err := matchRows(db, "fixed", q, 4)
		if err != nil {
			return err
		}
		if err := routeAndFeedback(db, "fixed", q, ids, float64(i%4)/3); err != nil {
			return err
		}
	}
	return nil
}

func writeJSON(path string, v interface{}) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func workloadCmd(args []string) error {
	fs, cluster := clientFlags("workload")
	acked := fs.String("acked", "", "file: one line 'rowid index' per acknowledged insert into ex")
	baseline := fs.String("baseline", "", "file: MATCH answers on fixed for the fixed query set, written before the stream")
	stop := fs.String("stop", "", "the stream ends when this file exists")
	maxSeconds := fs.Float64("max-seconds", 300, "the stream ends after this long in any case")
	fs.Parse(args)
	if *acked == "" || *baseline == "" || *stop == "" {
		return fmt.Errorf("--acked, --baseline and --stop are required")
	}
	db, err := openCluster(*cluster, "cache")
	if err != nil {
		return err
	}
	defer db.Close()
	// A leadership change during setup (a slow statement on a loaded machine can cause one)
	// rolls the setup back; start it again, three times at most.
	for attempt := 1; ; attempt++ {
		err := setupFixed(db)
		if err == nil {
			break
		}
		if attempt == 3 {
			return err
		}
		fmt.Fprintf(os.Stderr, "workload: setup failed (%v); again\n", err)
		time.Sleep(time.Second)
		db.Exec("DROP TABLE IF EXISTS fixed")
		db.Exec("DROP TABLE IF EXISTS ex")
	}
	base, err := selections(db)
	if err != nil {
		return err
	}
	if err := writeJSON(*baseline, base); err != nil {
		return err
	}
	f, err := os.Create(*acked)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)

	start := time.Now()
	deadline := start.Add(time.Duration(*maxSeconds * float64(time.Second)))
	var nAck, nFail, nRouted int
	var outageStart time.Time
	var outages, firstMatch []float64
	failed := func(err error) {
		nFail++
		if outageStart.IsZero() {
			outageStart = time.Now()
			fmt.Fprintf(os.Stderr, "workload: %s: %v\n", time.Now().Format("15:04:05.000"), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i := 0; time.Now().Before(deadline); i++ {
		if _, err := os.Stat(*stop); err == nil {
			break
		}
		req, resp := exampleText("stream", i)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		res, err := db.ExecContext(ctx, "INSERT INTO ex(request, response, model, quality) VALUES (?, ?, 'large', 0.8)", req, resp)
		cancel()
		if err != nil {
			failed(err)
			continue // not acknowledged: it may or may not be there; the next insert is a new example
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%d %d\n", id, i)
		w.Flush()
		nAck++
		if !outageStart.IsZero() {
			outages = append(outages, time.Since(outageStart).Seconds())
			outageStart = time.Time{}
			// The new leader's connection loads fixed's index from its shadow tables on its
			// first MATCH: the cost of a failover beyond the election.
			t0 := time.Now()
			if _, _, err := matchRows(db, "fixed", fixedQueries()[0], 5); err == nil {
				firstMatch = append(firstMatch, float64(time.Since(t0).Microseconds())/1000)
			}
		}
		q := fmt.Sprintf("how to %s %s about %s", verbs[i%len(verbs)], things[i%len(things)], topics[i%len(topics)])
		ids, _, err := matchRows(db, "ex", q, 4)
		if err != nil {
			failed(err)
			continue
		}
		if err := routeAndFeedback(db, "ex", q, ids, float64(i%3)/2); err != nil {
			failed(err)
			continue
		}
		nRouted++
	}
	sort.Float64s(outages)
	sort.Float64s(firstMatch)
	os.WriteFile(*acked+".done", []byte(strconv.Itoa(nAck)+"\n"), 0o644)
	fmt.Printf("workload: acknowledged %d inserts, %d routed with feedback, %d failed statements, outages seen by the client (s): %s\n",
		nAck, nRouted, nFail, fmtList(outages))
	fmt.Printf("workload: first MATCH on fixed (%d examples, IVF) through each new leader (ms): %s\n", fixedRows, fmtList(firstMatch))
	return nil
}

func fmtList(v []float64) string {
	if len(v) == 0 {
		return "none"
	}
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(s, " ")
}

// checkCmd: every acknowledged insert present with its text, fixed's selections equal to the
// baseline, integrity-check on both tables and SQLite's integrity_check.
func checkCmd(args []string) error {
	fs, cluster := clientFlags("check")
	acked := fs.String("acked", "", "the workload's --acked file")
	baseline := fs.String("baseline", "", "the workload's --baseline file")
	fs.Parse(args)
	db, err := openCluster(*cluster, "cache")
	if err != nil {
		return err
	}
	defer db.Close()
	present := map[int64]string{}
	rows, err := db.Query("SELECT rowid, request FROM ex")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var r string
		if err := rows.Scan(&id, &r); err != nil {
			return err
		}
		present[id] = r
	}
	rows.Close()
	f, err := os.Open(*acked)
	if err != nil {
		return err
	}
	defer f.Close()
	nAck, nPresent := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var id int64
		var i int
		if _, err := fmt.Sscanf(sc.Text(), "%d %d", &id, &i); err != nil {
			return fmt.Errorf("%s: bad line '%s'", *acked, sc.Text())
		}
		nAck++
		want, _ := exampleText("stream", i)
		if present[id] == want {
			nPresent++
		} else {
			fmt.Fprintf(os.Stderr, "check: acknowledged example %d (rowid %d) is missing\n", i, id)
		}
	}
	var base []selection
	b, err := os.ReadFile(*baseline)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &base); err != nil {
		return err
	}
	now, err := selections(db)
	if err != nil {
		return err
	}
	equal := len(now) == len(base)
	for i := range now {
		if !equal || strings.Join(now[i].Rows, " ") != strings.Join(base[i].Rows, " ") {
			equal = false
			fmt.Fprintf(os.Stderr, "check: selection for '%s' differs: before %v, now %v\n", now[i].Query, base[i].Rows, now[i].Rows)
			break
		}
	}
	integrity := "ok"
	for _, t := range []string{"fixed", "ex"} {
		if _, err := db.Exec("INSERT INTO " + t + "(" + t + ") VALUES('integrity-check')"); err != nil {
			integrity = fmt.Sprintf("%s: %v", t, err)
		}
	}
	var ic string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ic); err != nil || ic != "ok" {
		integrity = fmt.Sprintf("PRAGMA integrity_check: %s %v", ic, err)
	}
	fmt.Printf("check: acknowledged %d, present %d, selections equal %s, integrity %s, rows in ex %d\n",
		nAck, nPresent, yesNo(equal), integrity, len(present))
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
