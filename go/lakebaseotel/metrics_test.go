package lakebaseotel_test

import (
	"context"
	"sort"
	"testing"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
	"github.com/lakebase-connector/lakebase-go/internal/emulator"
	"github.com/lakebase-connector/lakebase-go/lakebaseotel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func emulatorConfig(t *testing.T) lakebase.Config {
	env := emulator.Require(t)
	return lakebase.Config{
		"config.use_environment": "false",
		"workspace.host":         env["DATABRICKS_HOST"],
		"auth.client_id":         env["DATABRICKS_CLIENT_ID"],
		"auth.client_secret":     env["DATABRICKS_CLIENT_SECRET"],
		"http.ca_file":           env["LAKEBASE_CA_FILE"],
		"lakebase.endpoint":      env["LAKEBASE_ENDPOINT"],
		"pg.port":                env["EMULATOR_PROXY_PORT"],
		"pg.sslrootcert":         env["PGSSLROOTCERT"],
	}
}

// An in-memory pipeline: a manual reader that also pulls the histograms.
func newReader(t *testing.T, m *lakebaseotel.Metrics) *sdkmetric.ManualReader {
	t.Helper()
	reader := sdkmetric.NewManualReader(sdkmetric.WithProducer(m))
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { provider.Shutdown(context.Background()) })
	reg, err := m.Register(provider.Meter(lakebaseotel.ScopeName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Unregister() })
	return reader
}

func collect(t *testing.T, reader *sdkmetric.ManualReader) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if _, dup := out[m.Name]; dup {
				t.Fatalf("metric %s exported twice", m.Name)
			}
			out[m.Name] = m
		}
	}
	return out
}

// value finds the point of a float sum or gauge whose attributes include
// want, failing when there is none.
func value(t *testing.T, got map[string]metricdata.Metrics, name string, want ...attribute.KeyValue) float64 {
	t.Helper()
	m, ok := got[name]
	if !ok {
		t.Fatalf("metric %s not exported", name)
	}
	var points []metricdata.DataPoint[float64]
	switch d := m.Data.(type) {
	case metricdata.Sum[float64]:
		points = d.DataPoints
	case metricdata.Gauge[float64]:
		points = d.DataPoints
	default:
		t.Fatalf("metric %s is a %T", name, m.Data)
	}
	for _, p := range points {
		match := true
		for _, kv := range want {
			if v, ok := p.Attributes.Value(kv.Key); !ok || v != kv.Value {
				match = false
			}
		}
		if match {
			return p.Value
		}
	}
	t.Fatalf("metric %s has no point with %v (has %v)", name, want, points)
	return 0
}

func TestAMintAndAConnectAreExported(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pool, err := lakebase.Open(ctx, emulatorConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	m := lakebaseotel.New()
	m.AddPool(pool, "orders")
	reader := newReader(t, m)
	var one int
	if err := pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Fatal(err)
	}

	got := collect(t, reader)
	orders := attribute.String(lakebaseotel.PoolNameAttribute, "orders")
	if v := value(t, got, "lakebase.credential.mints", orders, attribute.String("lakebase.result", "ok")); v < 1 {
		t.Errorf("mints ok = %v, want at least the one the open made", v)
	}
	if v := value(t, got, "lakebase.pool.connects", orders, attribute.String("lakebase.result", "ok")); v < 1 {
		t.Errorf("connects ok = %v, want at least one", v)
	}
	if v := value(t, got, "lakebase.pool.connects", orders, attribute.String("lakebase.result", "failed")); v != 0 {
		t.Errorf("connects failed = %v", v)
	}
	idle := value(t, got, "db.client.connection.count", orders, attribute.String("db.client.connection.state", "idle"))
	used := value(t, got, "db.client.connection.count", orders, attribute.String("db.client.connection.state", "used"))
	if idle+used < 1 || used != 0 {
		t.Errorf("connections idle %v used %v, want the query's connection back idle", idle, used)
	}
	if v := value(t, got, "lakebase.credential.expires_in", orders); v <= 0 || v > 3600 {
		t.Errorf("expires_in = %v s", v)
	}
	if v := value(t, got, "lakebase.credential.refresh.degraded", orders); v != 0 {
		t.Errorf("degraded = %v", v)
	}
	wait, ok := got["db.client.connection.wait_time"].Data.(metricdata.Histogram[float64])
	if !ok || len(wait.DataPoints) != 1 {
		t.Fatalf("wait_time = %#v", got["db.client.connection.wait_time"])
	}
	dp := wait.DataPoints[0]
	if dp.Count < 1 || len(dp.BucketCounts) != len(dp.Bounds)+1 {
		t.Errorf("wait_time point %+v: want the query's acquire, buckets = bounds + 1", dp)
	}
	if v, _ := dp.Attributes.Value(lakebaseotel.PoolNameAttribute); v.AsString() != "orders" {
		t.Errorf("wait_time attributes %v", dp.Attributes)
	}
	if wait.Temporality != metricdata.CumulativeTemporality {
		t.Errorf("temporality %v", wait.Temporality)
	}
	// The connect and the mint, timed by the core's books.
	for _, name := range []string{"db.client.connection.create_time", "lakebase.credential.mint.duration"} {
		h, ok := got[name].Data.(metricdata.Histogram[float64])
		var n uint64
		for _, p := range h.DataPoints {
			n += p.Count
		}
		if !ok || n < 1 {
			t.Errorf("%s = %#v, want at least one observation", name, got[name])
		}
	}
}

func TestCredentialsAloneExportTheirMint(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	creds, err := lakebase.NewCredentials(emulatorConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer creds.Close()
	m := lakebaseotel.New()
	remove := m.AddCredentials(creds)
	reader := newReader(t, m)
	if _, err := creds.Get(ctx); err != nil {
		t.Fatal(err)
	}
	got := collect(t, reader)
	if v := value(t, got, "lakebase.credential.mints", attribute.String("lakebase.result", "ok")); v < 1 {
		t.Errorf("mints ok = %v", v)
	}
	if _, ok := got["db.client.connection.count"]; ok {
		t.Errorf("a credentials handle exported pool metrics")
	}
	remove()
	if got := collect(t, reader); len(got) != 0 {
		for name := range got {
			t.Errorf("%s still exported after remove", name)
		}
	}
}

// The names that reach a reader are exactly the core's table (as the ABI
// serves it), with its kinds and units: nothing renamed, nothing missing
// among what a pool reports.
func TestExportedNamesAreTheCoreTable(t *testing.T) {
	table := lakebaseotel.MetricTable()
	byName := map[string]lakebaseotel.Metric{}
	for _, d := range table {
		byName[d.Name] = d
	}
	for _, want := range []string{
		"db.client.connection.count", "db.client.connection.wait_time",
		"lakebase.credential.mints", "lakebase.pool.connects",
		"db.client.connection.create_time", "lakebase.pool.connect.errors",
		"lakebase.credential.mint.duration",
	} {
		if _, ok := byName[want]; !ok {
			t.Errorf("the core's table lacks %s", want)
		}
	}
	spans := lakebaseotel.SpanTable()
	if len(spans) < 2 || spans[0].Name != "lakebase.credential.mint" || spans[1].Name != "lakebase.connect" {
		t.Errorf("span table %+v", spans)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pool, err := lakebase.Open(ctx, emulatorConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	m := lakebaseotel.New()
	m.AddPool(pool, "")
	got := collect(t, newReader(t, m))
	var exported []string
	for name, md := range got {
		exported = append(exported, name)
		d, ok := byName[name]
		if !ok {
			t.Errorf("exported %s, which is not in the core's table", name)
			continue
		}
		if md.Unit != d.Unit || md.Description != d.Description {
			t.Errorf("%s: unit %q description %q, table %q %q", name, md.Unit, md.Description, d.Unit, d.Description)
		}
		kindOK := false
		switch data := md.Data.(type) {
		case metricdata.Sum[float64]:
			kindOK = (d.Kind == lakebaseotel.Counter && data.IsMonotonic) ||
				(d.Kind == lakebaseotel.UpDownCounter && !data.IsMonotonic)
		case metricdata.Gauge[float64]:
			kindOK = d.Kind == lakebaseotel.Gauge
		case metricdata.Histogram[float64]:
			kindOK = d.Kind == lakebaseotel.Histogram
		}
		if !kindOK {
			t.Errorf("%s exported as %T, table kind %d", name, md.Data, d.Kind)
		}
	}
	// What a healthy pool reports: every metric but the connect errors
	// (a series per error class once one happens) and those of per-user
	// pool sets.
	notYet := map[string]bool{
		"lakebase.pool.connect.errors": true,
		"lakebase.pool_set.pools":      true,
		"lakebase.pool_set.evictions":  true,
		"lakebase.pool_set.rejections": true,
	}
	var want []string
	for _, d := range table {
		if !notYet[d.Name] {
			want = append(want, d.Name)
		}
	}
	sort.Strings(exported)
	sort.Strings(want)
	if len(exported) != len(want) {
		t.Fatalf("exported %v\nwant     %v", exported, want)
	}
	for i := range want {
		if exported[i] != want[i] {
			t.Fatalf("exported %v\nwant     %v", exported, want)
		}
	}
}

func TestAPoolSetIsExportedPerSet(t *testing.T) {
	cfg := emulatorConfig(t)
	delete(cfg, "auth.client_id")
	delete(cfg, "auth.client_secret")
	set, err := lakebase.NewPoolSet(cfg, 4, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	m := lakebaseotel.New()
	m.AddPoolSet(set, "obo")
	got := collect(t, newReader(t, m))
	obo := attribute.String(lakebaseotel.PoolNameAttribute, "obo")
	if v := value(t, got, "lakebase.pool_set.pools", obo); v != 0 {
		t.Errorf("pools = %v before any identity", v)
	}
	if v := value(t, got, "lakebase.pool_set.evictions", obo, attribute.String("lakebase.eviction.reason", "idle")); v != 0 {
		t.Errorf("evictions = %v", v)
	}
	if v := value(t, got, "lakebase.pool_set.rejections", obo); v != 0 {
		t.Errorf("rejections = %v", v)
	}
	if v := value(t, got, "db.client.connection.count", obo, attribute.String("db.client.connection.state", "idle")); v != 0 {
		t.Errorf("connections = %v", v)
	}
}
