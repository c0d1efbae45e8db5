package lakebase

/*
#include <lakebase.h>
*/
import "C"

import (
	"runtime/cgo"
	"strings"
	"unsafe"
)

// MetricKind is how a metric aggregates (the core's LAKEBASE_METRIC_*).
type MetricKind int

const (
	MetricCounter       MetricKind = C.LAKEBASE_METRIC_COUNTER
	MetricUpDownCounter MetricKind = C.LAKEBASE_METRIC_UPDOWN_COUNTER
	MetricGauge         MetricKind = C.LAKEBASE_METRIC_GAUGE
	MetricHistogram     MetricKind = C.LAKEBASE_METRIC_HISTOGRAM
)

// MetricDef is one metric of the core's table: every language exports the
// same names, kinds, units and attributes (docs/observability.md).
type MetricDef struct {
	Name, Unit, Description string
	Kind                    MetricKind
	Attributes              []string // attribute keys besides the pool name
}

// SpanDef is one span name of the core's table.
type SpanDef struct {
	Name, Description string
	Attributes        []string
}

// PoolNameAttribute is the attribute that names the pool in its points.
const PoolNameAttribute = C.LAKEBASE_ATTRIBUTE_POOL_NAME

// MetricPoint is one data point as the core reports it: Metric indexes
// MetricTable; histograms carry Count, Sum (when HasSum), the bucket
// Bounds and BucketCounts (one more than Bounds).
type MetricPoint struct {
	Metric       int
	Keys, Values []string // attributes
	Value        float64
	Count        uint64
	Sum          float64
	HasSum       bool
	Bounds       []float64
	BucketCounts []uint64
}

func splitKeys(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// MetricTable returns the core's metric table, in its order.
func MetricTable() []MetricDef {
	var out []MetricDef
	for i := 0; ; i++ {
		var name, unit, desc, attrs *C.char
		var kind C.int
		if C.lakebase_metric_at(C.size_t(i), &name, &kind, &unit, &desc, &attrs) != 0 {
			return out
		}
		out = append(out, MetricDef{
			Name:        C.GoString(name),
			Kind:        MetricKind(kind),
			Unit:        C.GoString(unit),
			Description: C.GoString(desc),
			Attributes:  splitKeys(C.GoString(attrs)),
		})
	}
}

// SpanTable returns the core's span table, in its order.
func SpanTable() []SpanDef {
	var out []SpanDef
	for i := 0; ; i++ {
		var name, desc, attrs *C.char
		if C.lakebase_span_at(C.size_t(i), &name, &desc, &attrs) != 0 {
			return out
		}
		out = append(out, SpanDef{
			Name:        C.GoString(name),
			Description: C.GoString(desc),
			Attributes:  splitKeys(C.GoString(attrs)),
		})
	}
}

// Metrics returns the pool's current points (its connections, acquires,
// connect durations and failures, and its credential provider's mints),
// each carrying PoolNameAttribute = name when name is not empty (one name
// per pool of the program, never a user's). ErrClosed after Close.
func (p *Pool) Metrics(name string) ([]MetricPoint, error) {
	h, err := p.handle()
	if err != nil {
		return nil, err
	}
	defer p.mu.RUnlock()
	cname := cStringOrNil(name)
	defer freeCString(cname)
	return poolMetrics(h, cname)
}

// Metrics returns the credential provider's current points (mints, their
// durations, the seconds to expiry, degraded refresh).
func (c *Credentials) Metrics() ([]MetricPoint, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.c == nil {
		return nil, &Error{Code: CodeClosed, Message: "the credentials are closed"}
	}
	return credentialsMetrics(c.c)
}

// Metrics returns the set's points: its pools' counters summed under the
// set's name (never one series per user) and the set's own.
func (s *PoolSet) Metrics(name string) ([]MetricPoint, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.c == nil {
		return nil, &Error{Code: CodeClosed, Message: "the pool set is closed"}
	}
	cname := cStringOrNil(name)
	defer freeCString(cname)
	return userPoolsMetrics(s.c, cname)
}

//export lbGoMetricPoint
func lbGoMetricPoint(userdata unsafe.Pointer, cp *C.lakebase_metric_point) {
	out := cgo.Handle(uintptr(userdata)).Value().(*[]MetricPoint)
	p := MetricPoint{
		Metric: int(cp.metric),
		Value:  float64(cp.value),
		Count:  uint64(cp.count),
		Sum:    float64(cp.sum),
		HasSum: cp.has_sum != 0,
	}
	if n := int(cp.attribute_count); n > 0 {
		keys := unsafe.Slice(cp.attribute_keys, n)
		vals := unsafe.Slice(cp.attribute_values, n)
		for i := 0; i < n; i++ {
			p.Keys = append(p.Keys, C.GoString(keys[i]))
			p.Values = append(p.Values, C.GoString(vals[i]))
		}
	}
	if b := int(cp.bucket_count); b > 0 {
		for _, v := range unsafe.Slice(cp.bounds, b-1) {
			p.Bounds = append(p.Bounds, float64(v))
		}
		for _, v := range unsafe.Slice(cp.bucket_counts, b) {
			p.BucketCounts = append(p.BucketCounts, uint64(v))
		}
	}
	*out = append(*out, p)
}
