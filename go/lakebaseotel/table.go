// Package lakebaseotel exports liblakebase's metrics through OpenTelemetry:
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
// The base module (github.com/lakebase-connector/lakebase-go) depends on
// nothing; this one brings OpenTelemetry.
package lakebaseotel

/*
#cgo pkg-config: lakebase
#include <lakebase.h>
*/
import "C"

import "strings"

// ScopeName is the instrumentation scope of the exported metrics.
const ScopeName = "github.com/lakebase-connector/lakebase-go/lakebaseotel"

// Kind is how a metric aggregates (the core's LAKEBASE_METRIC_*).
type Kind int

const (
	Counter       Kind = C.LAKEBASE_METRIC_COUNTER
	UpDownCounter Kind = C.LAKEBASE_METRIC_UPDOWN_COUNTER
	Gauge         Kind = C.LAKEBASE_METRIC_GAUGE
	Histogram     Kind = C.LAKEBASE_METRIC_HISTOGRAM
)

// Metric describes one metric of the core's table.
type Metric struct {
	Name, Unit, Description string
	Kind                    Kind
	Attributes              []string // attribute keys besides the pool name
}

// Span describes one span name of the core's table.
type Span struct {
	Name, Description string
	Attributes        []string
}

// PoolNameAttribute is the attribute that names the pool in its points.
const PoolNameAttribute = C.LAKEBASE_ATTRIBUTE_POOL_NAME

func splitKeys(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// MetricTable returns the core's metric table, in its order.
func MetricTable() []Metric {
	var out []Metric
	for i := 0; ; i++ {
		var name, unit, desc, attrs *C.char
		var kind C.int
		if C.lakebase_metric_at(C.size_t(i), &name, &kind, &unit, &desc, &attrs) != 0 {
			return out
		}
		out = append(out, Metric{
			Name:        C.GoString(name),
			Kind:        Kind(kind),
			Unit:        C.GoString(unit),
			Description: C.GoString(desc),
			Attributes:  splitKeys(C.GoString(attrs)),
		})
	}
}

// SpanTable returns the core's span table, in its order.
func SpanTable() []Span {
	var out []Span
	for i := 0; ; i++ {
		var name, desc, attrs *C.char
		if C.lakebase_span_at(C.size_t(i), &name, &desc, &attrs) != 0 {
			return out
		}
		out = append(out, Span{
			Name:        C.GoString(name),
			Description: C.GoString(desc),
			Attributes:  splitKeys(C.GoString(attrs)),
		})
	}
}
