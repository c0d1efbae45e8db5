// Command bench compares lakebase.Pool with pgx v5's pgxpool: G goroutines
// running `SELECT 1` against the same PostgreSQL (the emulator's direct
// port, password auth, no TLS), in alternating rounds in one process.
//
//	go run . -env-file build/emulator-state/env [-goroutines 8] [-rounds 5] [-duration 3s] [-defaults] [-sql STATEMENT]
//
// With -sql each contender runs that statement instead and reads every
// cell of every row as its typed Go value (Rows.Values).
//
// By default both pools get max_size = goroutines (and warm that many
// connections); with -defaults each keeps its own defaults (lakebase.Pool
// 10 connections, opened lazily; pgxpool max(4, CPUs)), as users run them.
//
// Benchmarks are not tests: it reports, it never fails on a slow run.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	lakebase "github.com/lakebase-connector/lakebase-go"
	"github.com/lakebase-connector/lakebase-go/internal/emulator"
)

type contender struct {
	name  string
	query func(ctx context.Context) error
}

func main() {
	envFile := flag.String("env-file", os.Getenv(emulator.EnvFileVar), "the emulator's env file")
	goroutines := flag.Int("goroutines", 8, "concurrent callers")
	rounds := flag.Int("rounds", 5, "alternating rounds per contender")
	duration := flag.Duration("duration", 3*time.Second, "length of one round")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	defaults := flag.Bool("defaults", false, "each pool with its default size")
	statement := flag.String("sql", "", "a statement to run instead of SELECT 1, every cell read")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
	err := run(*envFile, *goroutines, *rounds, *duration, *defaults, *statement)
	pprof.StopCPUProfile() // a no-op without -cpuprofile
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(envFile string, goroutines, rounds int, duration time.Duration, defaults bool, statement string) error {
	if envFile == "" {
		return fmt.Errorf("no env file: pass -env-file or set %s", emulator.EnvFileVar)
	}
	env, err := emulator.Load(envFile)
	if err != nil {
		return err
	}
	ctx := context.Background()
	size := fmt.Sprint(goroutines)

	lbCfg := lakebase.Config{
		"config.use_environment": "false",
		"pg.host":                env["EMULATOR_DIRECT_HOST"],
		"pg.port":                env["EMULATOR_DIRECT_PORT"],
		"pg.user":                env["DATABRICKS_CLIENT_ID"],
		"pg.password":            env["EMULATOR_DIRECT_PASSWORD"],
		"pg.database":            "databricks_postgres",
		"pg.sslmode":             "disable",
	}
	sizing := fmt.Sprintf(" pool_min_conns=%d pool_max_conns=%d", goroutines, goroutines)
	if defaults {
		sizing = ""
	} else {
		lbCfg.Set("pool.min_size", size).Set("pool.max_size", size)
	}
	lb, err := lakebase.Open(ctx, lbCfg)
	if err != nil {
		return err
	}
	defer lb.Close()

	pgxCfg, err := pgxpool.ParseConfig(fmt.Sprintf(
		"host=%s port=%s user=%s password='%s' dbname=databricks_postgres sslmode=disable",
		env["EMULATOR_DIRECT_HOST"], env["EMULATOR_DIRECT_PORT"], env["DATABRICKS_CLIENT_ID"],
		env["EMULATOR_DIRECT_PASSWORD"]) + sizing)
	if err != nil {
		return err
	}
	px, err := pgxpool.NewWithConfig(ctx, pgxCfg)
	if err != nil {
		return err
	}
	defer px.Close()

	cancellable, stop := context.WithCancel(ctx)
	defer stop()
	contenders := []contender{
		{"lakebase.Pool", func(ctx context.Context) error {
			var n int
			return lb.QueryRow(ctx, "SELECT 1").Scan(&n)
		}},
		{"pgxpool", func(ctx context.Context) error {
			var n int
			return px.QueryRow(ctx, "SELECT 1").Scan(&n)
		}},
		{"lakebase.Pool (cancellable ctx)", func(context.Context) error {
			var n int
			return lb.QueryRow(cancellable, "SELECT 1").Scan(&n)
		}},
	}
	if statement != "" {
		contenders = []contender{
			{"lakebase.Pool", func(ctx context.Context) error {
				rows, err := lb.Query(ctx, statement)
				if err != nil {
					return err
				}
				return readAll(rows)
			}},
			{"pgxpool", func(ctx context.Context) error {
				rows, err := px.Query(ctx, statement)
				if err != nil {
					return err
				}
				return readAll(rows)
			}},
		}
	} else {
		statement = "SELECT 1"
	}
	sized := "both pools sized to the goroutines"
	if defaults {
		sized = "each pool with its default size"
	}
	fmt.Printf("%d goroutines, %d rounds of %v, %s on %s:%s (direct, no TLS), %s\n",
		goroutines, rounds, duration, statement, env["EMULATOR_DIRECT_HOST"], env["EMULATOR_DIRECT_PORT"], sized)
	for _, c := range contenders { // warm-up: connections open, statements cached
		if _, err := measure(c, goroutines, 300*time.Millisecond); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	results := make([][]float64, len(contenders))
	for r := 0; r < rounds; r++ {
		var line []string
		for i, c := range contenders {
			qps, err := measure(c, goroutines, duration)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			results[i] = append(results[i], qps)
			line = append(line, fmt.Sprintf("%s %.0f q/s", c.name, qps))
		}
		fmt.Printf("round %d: %s\n", r+1, strings.Join(line, ", "))
	}
	base := median(results[1])
	for i, c := range contenders {
		m := median(results[i])
		fmt.Printf("median %-32s %8.0f q/s  %7.1f µs/query per goroutine  ratio vs pgxpool %.2f\n",
			c.name, m, float64(goroutines)*1e6/m, m/base)
	}
	return nil
}

// valueRows is what both pools' rows offer.
type valueRows interface {
	Next() bool
	Values() ([]any, error)
	Err() error
	Close()
}

// readAll reads every cell of every row as its typed value, then closes.
func readAll(rows valueRows) error {
	defer rows.Close()
	for rows.Next() {
		if _, err := rows.Values(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// measure runs c from g goroutines for d and returns queries per second.
func measure(c contender, g int, d time.Duration) (float64, error) {
	var count atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < g; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			n := int64(0)
			for time.Now().Before(deadline) {
				if err := c.query(ctx); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				n++
			}
			count.Add(n)
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, err
	}
	return float64(count.Load()) / time.Since(start).Seconds(), nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
