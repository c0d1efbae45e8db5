package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
)

const (
	maxCallers = 100
	maxRepeat  = 100000
)

const queryExpectKeys = "rows,columns,command"

type connSlot struct {
	conn    *lakebase.Conn // nil once released
	done    chan struct{}  // a background query; nil when none runs
	rows    *lakebase.Rows
	err     error
	release bool
}

type load struct {
	stop       chan struct{}
	wg         sync.WaitGroup
	ok, failed atomic.Int64
	firstErr   atomic.Value // error
}

// pools holds the pool-capability state of a scenario.
type pools struct {
	pools map[string]*lakebase.Pool
	conns map[string]*connSlot
	loads map[string]*load
}

func (sc *scenario) poolState() *pools {
	if sc.pool == nil {
		sc.pool = &pools{pools: map[string]*lakebase.Pool{}, conns: map[string]*connSlot{},
			loads: map[string]*load{}}
	}
	return sc.pool
}

// clearPools stops loads, waits for background queries, releases
// connections and closes pools (cancelling what still runs).
func (sc *scenario) clearPools() {
	if sc.pool == nil {
		return
	}
	for _, l := range sc.pool.loads {
		l.stopAndWait()
	}
	for _, c := range sc.pool.conns {
		if c.done != nil {
			<-c.done
		}
		if c.rows != nil {
			c.rows.Close()
		}
		if c.conn != nil {
			c.conn.Release()
		}
	}
	for _, p := range sc.pool.pools {
		p.CloseNow()
	}
}

// statement reads "sql" (required unless dflt is set) and "params".
func (sc *scenario) statement(step map[string]any, dflt string) (string, []any, error) {
	sql := dflt
	if v, ok := step["sql"]; ok {
		s, err := sc.text(v, "sql")
		if err != nil {
			return "", nil, err
		}
		sql = s
	}
	if sql == "" {
		return "", nil, errors.New(`"sql" is required`)
	}
	var params []any
	if v, ok := step["params"]; ok {
		list, isList := v.([]any)
		if !isList {
			return "", nil, errors.New(`"params" must be an array`)
		}
		for _, item := range list {
			if item == nil {
				params = append(params, nil)
				continue
			}
			s, err := sc.text(item, "params")
			if err != nil {
				return "", nil, errors.New("params must be strings, numbers, booleans or null")
			}
			params = append(params, s)
		}
	}
	return sql, params, nil
}

func intField(step map[string]any, key string, dflt, lo, hi int) (int, error) {
	v, ok := step[key]
	if !ok {
		if dflt == 0 {
			return 0, fmt.Errorf("%q is required", key)
		}
		return dflt, nil
	}
	n, isNum := v.(json.Number)
	i, err := n.Int64()
	if !isNum || err != nil || int(i) < lo || int(i) > hi {
		return 0, fmt.Errorf("%q must be %d..%d", key, lo, hi)
	}
	return int(i), nil
}

func boolField(step map[string]any, key string, dflt bool) bool {
	v, ok := step[key].(bool)
	if !ok {
		return dflt
	}
	return v
}

func checkWithin(step map[string]any, took time.Duration) error {
	v, ok := step["within_ms"]
	if !ok {
		return nil
	}
	n, isNum := v.(json.Number)
	ms, err := n.Float64()
	if !isNum || err != nil {
		return errors.New(`"within_ms" must be a number`)
	}
	if took > time.Duration(ms*float64(time.Millisecond)) {
		return fmt.Errorf("took %d ms, expected at most %.0f ms", took.Milliseconds(), ms)
	}
	return nil
}

func (sc *scenario) stepPool(step map[string]any) (*lakebase.Pool, error) {
	id, _ := step["pool"].(string)
	p, ok := sc.poolState().pools[id]
	if !ok {
		return nil, fmt.Errorf("no pool with id %q", id)
	}
	return p, nil
}

func (sc *scenario) stepConn(step map[string]any, mustBeHeld bool) (*connSlot, string, error) {
	id, _ := step["conn"].(string)
	c, ok := sc.poolState().conns[id]
	if !ok {
		return nil, id, fmt.Errorf("no connection with id %q", id)
	}
	if mustBeHeld && c.conn == nil {
		return nil, id, fmt.Errorf("connection %q was released", id)
	}
	return c, id, nil
}

// --- result expectations ----------------------------------------------------

// checkQuery checks a query's outcome and, on success, its result.
func (sc *scenario) checkQuery(expectV any, err error, rows *lakebase.Rows) error {
	if cerr := sc.checkOutcomeKeys(expectV, queryExpectKeys, err, nil); cerr != nil {
		return cerr
	}
	expect, _ := expectV.(map[string]any)
	if err != nil || expect == nil {
		return nil
	}
	got := rows.Columns() // before reading: the last Next closes the rows
	if want, ok := expect["rows"]; ok {
		if err := sc.checkRows(want, rows, len(got)); err != nil {
			return err
		}
	}
	if want, ok := expect["columns"]; ok {
		names, isList := want.([]any)
		if !isList {
			return errors.New(`"columns" must be an array of names`)
		}
		if len(names) != len(got) {
			return fmt.Errorf("%d columns, expected %d", len(got), len(names))
		}
		for i, n := range names {
			if s, _ := n.(string); s != got[i] {
				return fmt.Errorf("column %d is named %q", i+1, got[i])
			}
		}
	}
	if want, ok := expect["command"].(string); ok && want != rows.CommandTag().String() {
		return fmt.Errorf("command tag %q, expected %q", rows.CommandTag(), want)
	}
	return nil
}

// checkRows compares every cell with the server's text form (nil: NULL).
func (sc *scenario) checkRows(want any, rows *lakebase.Rows, ncols int) error {
	wantRows, ok := want.([]any)
	if !ok {
		return errors.New(`"rows" must be an array of arrays`)
	}
	var got [][]*string
	for rows.Next() {
		cells := make([]*string, ncols)
		dest := make([]any, ncols)
		for i := range cells {
			dest[i] = &cells[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		got = append(got, cells)
	}
	if len(got) != len(wantRows) {
		return fmt.Errorf("%d rows, expected %d", len(got), len(wantRows))
	}
	for r, wr := range wantRows {
		cells, ok := wr.([]any)
		if !ok {
			return errors.New(`"rows" must be an array of arrays`)
		}
		if len(cells) != ncols {
			return fmt.Errorf("%d columns, expected %d", ncols, len(cells))
		}
		for c, cell := range cells {
			g := got[r][c]
			if cell == nil {
				if g != nil {
					return fmt.Errorf("row %d column %d is %q, expected NULL", r+1, c+1, *g)
				}
				continue
			}
			w, err := sc.text(cell, "rows")
			if err != nil {
				return errors.New("expected cells must be strings, numbers, booleans or null")
			}
			if g == nil {
				return fmt.Errorf("row %d column %d is NULL, expected %q", r+1, c+1, w)
			}
			if *g != w {
				return fmt.Errorf("row %d column %d is %q, expected %q", r+1, c+1, *g, w)
			}
		}
	}
	return nil
}

// --- pool, pool_open, pool_close -------------------------------------------

func (sc *scenario) opPool(step map[string]any) error {
	id, _ := step["id"].(string)
	config, ok := step["config"].(map[string]any)
	if id == "" || !ok {
		return errors.New(`"id" (string) and "config" (object) are required`)
	}
	ps := sc.poolState()
	if _, exists := ps.pools[id]; exists {
		return fmt.Errorf("pool %q already exists", id)
	}
	cfg, err := sc.config(config)
	if err != nil {
		return err
	}
	p, err := lakebase.NewPool(cfg)
	if cerr := sc.checkOutcome(step["expect"], err, nil); cerr != nil {
		if p != nil {
			p.CloseNow()
		}
		return cerr
	}
	if p != nil {
		ps.pools[id] = p
	}
	return nil
}

func (sc *scenario) opPoolOpen(step map[string]any) error {
	p, err := sc.stepPool(step)
	if err != nil {
		return err
	}
	start := time.Now()
	if boolField(step, "wait", true) {
		err = p.Open(context.Background())
	} else {
		err = p.Start()
	}
	took := time.Since(start)
	if cerr := sc.checkOutcome(step["expect"], err, nil); cerr != nil {
		return cerr
	}
	return checkWithin(step, took)
}

func (sc *scenario) opPoolClose(step map[string]any) error {
	p, err := sc.stepPool(step)
	if err != nil {
		return err
	}
	start := time.Now()
	if boolField(step, "cancel_inflight", false) {
		err = p.CloseNow()
	} else {
		err = p.Close()
	}
	took := time.Since(start)
	if cerr := sc.checkOutcome(step["expect"], err, nil); cerr != nil {
		return cerr
	}
	return checkWithin(step, took)
}

// --- pool_query, loads ------------------------------------------------------

func (sc *scenario) opPoolQuery(step map[string]any) error {
	p, err := sc.stepPool(step)
	if err != nil {
		return err
	}
	sql, params, err := sc.statement(step, "")
	if err != nil {
		return err
	}
	threads, err := intField(step, "threads", 1, 1, maxCallers)
	if err != nil {
		return err
	}
	repeat, err := intField(step, "repeat", 1, 1, maxRepeat)
	if err != nil {
		return err
	}
	var firstFail atomic.Value
	one := func() {
		for i := 0; i < repeat && firstFail.Load() == nil; i++ {
			rows, err := p.Query(context.Background(), sql, params...)
			cerr := sc.checkQuery(step["expect"], err, rows)
			if rows != nil {
				rows.Close()
			}
			if cerr != nil {
				firstFail.CompareAndSwap(nil, cerr)
			}
		}
	}
	if threads == 1 {
		one()
	} else {
		start := make(chan struct{})
		var wg sync.WaitGroup
		for t := 0; t < threads; t++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				one()
			}()
		}
		close(start)
		wg.Wait()
	}
	if err, _ := firstFail.Load().(error); err != nil {
		return err
	}
	return nil
}

func (sc *scenario) opPoolLoadStart(step map[string]any) error {
	id, _ := step["id"].(string)
	if id == "" {
		return errors.New(`"id" is required`)
	}
	ps := sc.poolState()
	if _, exists := ps.loads[id]; exists {
		return fmt.Errorf("load %q already exists", id)
	}
	p, err := sc.stepPool(step)
	if err != nil {
		return err
	}
	threads, err := intField(step, "threads", 0, 1, maxCallers)
	if err != nil {
		return err
	}
	sql, params, err := sc.statement(step, "SELECT 1")
	if err != nil {
		return err
	}
	l := &load{stop: make(chan struct{})}
	for t := 0; t < threads; t++ {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				rows, err := p.Query(context.Background(), sql, params...)
				if err != nil {
					l.failed.Add(1)
					l.firstErr.CompareAndSwap(nil, err)
					continue
				}
				rows.Close()
				l.ok.Add(1)
			}
		}()
	}
	ps.loads[id] = l
	return nil
}

func (l *load) stopAndWait() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.wg.Wait()
}

func (sc *scenario) opPoolLoadStop(step map[string]any) error {
	id, _ := step["load"].(string)
	l, ok := sc.poolState().loads[id]
	if !ok {
		return fmt.Errorf("no load with id %q", id)
	}
	l.stopAndWait()
	want := map[string]any{}
	if e, ok := step["expect"]; ok {
		obj, isObj := e.(map[string]any)
		if !isObj {
			return errors.New(`"expect" must be an object`)
		}
		if err := checkKeys(obj, "queries,failed", "expect"); err != nil {
			return err
		}
		for k, v := range obj {
			want[k] = v
		}
	}
	if _, ok := want["failed"]; !ok {
		want["failed"] = json.Number("0")
	}
	actual := map[string]any{"queries": float64(l.ok.Load()), "failed": float64(l.failed.Load())}
	if err := sc.matchAll("load", want, actual, ""); err != nil {
		if first, _ := l.firstErr.Load().(error); first != nil {
			return fmt.Errorf("%v (first failure: %s)", err, describe(first))
		}
		return err
	}
	return nil
}

// --- connections ------------------------------------------------------------

func (sc *scenario) opConnAcquire(step map[string]any) error {
	id, _ := step["id"].(string)
	if id == "" {
		return errors.New(`"id" is required`)
	}
	ps := sc.poolState()
	if c, exists := ps.conns[id]; exists && c.conn != nil {
		return fmt.Errorf("connection %q is already held", id)
	}
	p, err := sc.stepPool(step)
	if err != nil {
		return err
	}
	conn, err := p.Acquire(context.Background())
	if cerr := sc.checkOutcome(step["expect"], err, nil); cerr != nil {
		if conn != nil {
			conn.Release()
		}
		return cerr
	}
	if conn != nil {
		ps.conns[id] = &connSlot{conn: conn}
	}
	return nil
}

func (c *connSlot) run(sql string, params []any) {
	c.rows, c.err = c.conn.Query(context.Background(), sql, params...)
	if c.release {
		c.conn.Release()
		c.conn = nil
	}
}

func (sc *scenario) finishConnQuery(c *connSlot, expect any) error {
	err := sc.checkQuery(expect, c.err, c.rows)
	if c.rows != nil {
		c.rows.Close()
	}
	c.rows, c.err = nil, nil
	return err
}

func (sc *scenario) opConnQuery(step map[string]any) error {
	c, _, err := sc.stepConn(step, true)
	if err != nil {
		return err
	}
	if c.done != nil {
		return errors.New("a background query is still running on this connection")
	}
	sql, params, err := sc.statement(step, "")
	if err != nil {
		return err
	}
	c.release = boolField(step, "release_after", false)
	if !boolField(step, "background", false) {
		c.run(sql, params)
		return sc.finishConnQuery(c, step["expect"])
	}
	if _, ok := step["expect"]; ok {
		return errors.New("a background query's expect goes on conn_wait")
	}
	c.done = make(chan struct{})
	go func() {
		defer close(c.done)
		c.run(sql, params)
	}()
	return nil
}

func (sc *scenario) opConnWait(step map[string]any) error {
	c, id, err := sc.stepConn(step, false)
	if err != nil {
		return err
	}
	if c.done == nil {
		return fmt.Errorf("no background query on connection %q", id)
	}
	<-c.done
	c.done = nil
	return sc.finishConnQuery(c, step["expect"])
}

func (sc *scenario) opConnCancel(step map[string]any) error {
	c, id, err := sc.stepConn(step, false)
	if err != nil {
		return err
	}
	if c.conn == nil {
		return fmt.Errorf("connection %q was released", id)
	}
	return sc.checkOutcome(step["expect"], c.conn.Cancel(), nil)
}

func (sc *scenario) opConnRelease(step map[string]any) error {
	c, _, err := sc.stepConn(step, true)
	if err != nil {
		return err
	}
	if c.done != nil {
		return errors.New("a background query is still running on this connection")
	}
	c.conn.Release()
	c.conn = nil
	return nil
}

// --- pool stats, emulator actions ------------------------------------------

const poolStatsKeys = "id,total,idle,in_use,connecting,waiting,connects_ok,connects_failed," +
	"recycled,discarded,acquires,acquire_timeouts,credential.mints_ok," +
	"credential.mints_failed,credential.degraded,credential.cached," +
	"credential.last_error,credential.last_error_http_status"

func (sc *scenario) checkPoolStats(want any) error {
	list, isList := want.([]any)
	if !isList {
		list = []any{want}
	}
	for _, item := range list {
		w, _ := item.(map[string]any)
		id, _ := w["id"].(string)
		p, ok := sc.poolState().pools[id]
		if !ok {
			return fmt.Errorf("no pool with id %q", id)
		}
		if err := checkKeys(w, poolStatsKeys, "pool stats"); err != nil {
			return err
		}
		st, err := p.Stats()
		if err != nil {
			return fmt.Errorf("pool stats: %s", describe(err))
		}
		actual := map[string]any{
			"total": float64(st.Total), "idle": float64(st.Idle), "in_use": float64(st.InUse),
			"connecting": float64(st.Connecting), "waiting": float64(st.Waiting),
			"connects_ok": float64(st.ConnectsOK), "connects_failed": float64(st.ConnectsFailed),
			"recycled": float64(st.Recycled), "discarded": float64(st.Discarded),
			"acquires": float64(st.Acquires), "acquire_timeouts": float64(st.AcquireTimeouts),
			"credential": credentialStatsJSON(st.Credential),
		}
		if err := sc.matchAll("pool "+id, w, actual, "id"); err != nil {
			return err
		}
	}
	return nil
}

func (sc *scenario) opKillConnections(map[string]any) error {
	return sc.r.Control.Post("/emulator/kill-connections", nil)
}

func (sc *scenario) opRestartPostgres(map[string]any) error {
	return sc.r.Control.Post("/emulator/restart-postgres", nil)
}
