// Package lakebaseotel exports liblakebase's metrics and spans through
// OpenTelemetry. Metrics:
// the names, kinds, units and attributes come from the C core's one table
// (lakebase_metric_at), and the values from the core's one mapping of a
// pool's and its credential provider's counters to data points, so every
// language exports the same metrics with the same meaning.
//
// Counters, up-down counters and gauges are asynchronous instruments on any
// metric.Meter (Register). OpenTelemetry's API has no asynchronous
// histogram, so the histograms the core keeps (acquire wait time, and the
// connect and mint durations) come through the same value as an SDK
// metric.Producer: pass it to the reader with sdkmetric.WithProducer.
//
//	m := lakebaseotel.New()
//	m.AddPool(pool, "orders")
//	reader := sdkmetric.NewPeriodicReader(exporter, sdkmetric.WithProducer(m))
//	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
//	reg, err := m.Register(provider.Meter(lakebaseotel.ScopeName))
//
// Spans: Tracing(tp) is an option that records each credential mint attempt
// and each connect of the handles made with it as a span of tp, named and
// attributed as the core's span table says (SpanTable).
//
//	pool, err := lakebase.Open(ctx, cfg, lakebaseotel.Tracing(tp))
//
// The base module (github.com/lakebase-connector/lakebase-go) depends on
// nothing; this one brings OpenTelemetry.
package lakebaseotel

import lakebase "github.com/lakebase-connector/lakebase-go"

// ScopeName is the instrumentation scope of the exported metrics and spans.
const ScopeName = "github.com/lakebase-connector/lakebase-go/lakebaseotel"

// Kind is how a metric aggregates (the core's LAKEBASE_METRIC_*).
type Kind = lakebase.MetricKind

const (
	Counter       = lakebase.MetricCounter
	UpDownCounter = lakebase.MetricUpDownCounter
	Gauge         = lakebase.MetricGauge
	Histogram     = lakebase.MetricHistogram
)

// Metric describes one metric of the core's table.
type Metric = lakebase.MetricDef

// Span describes one span name of the core's table.
type Span = lakebase.SpanDef

// PoolNameAttribute is the attribute that names the pool in its points.
const PoolNameAttribute = lakebase.PoolNameAttribute

// MetricTable returns the core's metric table, in its order.
func MetricTable() []Metric { return lakebase.MetricTable() }

// SpanTable returns the core's span table, in its order.
func SpanTable() []Span { return lakebase.SpanTable() }

// point is one data point as the core reported it.
type point = lakebase.MetricPoint
