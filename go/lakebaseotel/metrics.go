package lakebaseotel

import (
	"context"
	"errors"
	"sync"
	"time"

	lakebase "github.com/lakebase-connector/lakebase-go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// Metrics observes pools and credential providers. Register it on a Meter
// for the counters, up-down counters and gauges, and give it to a reader
// (sdkmetric.WithProducer) for the histograms. Safe for concurrent use.
type Metrics struct {
	table []Metric

	mu      sync.Mutex
	sources map[int]*source
	next    int
}

// source is one observed handle: its points now, and since when it counts.
type source struct {
	points func() ([]point, error)
	start  time.Time
}

// New returns a Metrics observing nothing yet.
func New() *Metrics {
	return &Metrics{table: MetricTable(), sources: map[int]*source{}}
}

func (m *Metrics) add(points func() ([]point, error)) (remove func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := m.next
	m.next++
	m.sources[id] = &source{points: points, start: time.Now()}
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		delete(m.sources, id)
	}
}

// AddPool observes a pool and its credential provider; name (may be "")
// becomes the PoolNameAttribute of its points: one name per pool of the
// program, never a user's. The returned function stops observing it.
func (m *Metrics) AddPool(pool *lakebase.Pool, name string) (remove func()) {
	return m.add(func() ([]point, error) {
		return pool.Metrics(name)
	})
}

// AddPoolSet observes a per-user pool set: its pools' counters summed and
// the set's own (pools, evictions, rejections), named by name, never one
// series per user. The returned function stops observing it.
func (m *Metrics) AddPoolSet(set *lakebase.PoolSet, name string) (remove func()) {
	return m.add(func() ([]point, error) {
		return set.Metrics(name)
	})
}

// AddCredentials observes a credential provider (mints, expiry, refresh
// state). The returned function stops observing it.
func (m *Metrics) AddCredentials(creds *lakebase.Credentials) (remove func()) {
	return m.add(func() ([]point, error) {
		return creds.Metrics()
	})
}

func (m *Metrics) snapshot() []*source {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*source, 0, len(m.sources))
	for _, s := range m.sources {
		out = append(out, s)
	}
	return out
}

func attributesOf(p *point) attribute.Set {
	kv := make([]attribute.KeyValue, len(p.Keys))
	for i := range p.Keys {
		kv[i] = attribute.String(p.Keys[i], p.Values[i])
	}
	return attribute.NewSet(kv...)
}

// Register creates an asynchronous instrument on meter for every counter,
// up-down counter and gauge of the core's table, named as the table names
// it, and one callback observing every added pool and provider. Unregister
// the returned registration to stop.
func (m *Metrics) Register(meter metric.Meter) (metric.Registration, error) {
	instruments := map[int]metric.Float64Observable{}
	var all []metric.Observable
	for i, d := range m.table {
		var inst metric.Float64Observable
		var err error
		opts := []metric.Float64ObservableOption{metric.WithUnit(d.Unit), metric.WithDescription(d.Description)}
		switch d.Kind {
		case Counter:
			inst, err = meter.Float64ObservableCounter(d.Name, counterOpts(opts)...)
		case UpDownCounter:
			inst, err = meter.Float64ObservableUpDownCounter(d.Name, upDownOpts(opts)...)
		case Gauge:
			inst, err = meter.Float64ObservableGauge(d.Name, gaugeOpts(opts)...)
		default:
			continue // histograms: Produce
		}
		if err != nil {
			return nil, err
		}
		instruments[i] = inst
		all = append(all, inst)
	}
	return meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		var errs []error
		for _, s := range m.snapshot() {
			points, err := s.points()
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for i := range points {
				p := &points[i]
				if inst, ok := instruments[p.Metric]; ok {
					o.ObserveFloat64(inst, p.Value, metric.WithAttributeSet(attributesOf(p)))
				}
			}
		}
		return errors.Join(errs...)
	}, all...)
}

func counterOpts(o []metric.Float64ObservableOption) []metric.Float64ObservableCounterOption {
	out := make([]metric.Float64ObservableCounterOption, len(o))
	for i := range o {
		out[i] = o[i]
	}
	return out
}

func upDownOpts(o []metric.Float64ObservableOption) []metric.Float64ObservableUpDownCounterOption {
	out := make([]metric.Float64ObservableUpDownCounterOption, len(o))
	for i := range o {
		out[i] = o[i]
	}
	return out
}

func gaugeOpts(o []metric.Float64ObservableOption) []metric.Float64ObservableGaugeOption {
	out := make([]metric.Float64ObservableGaugeOption, len(o))
	for i := range o {
		out[i] = o[i]
	}
	return out
}

// Produce reports the histograms of the core's table (cumulative, with the
// core's bucket bounds) for every added pool and provider: the
// sdkmetric.Producer a reader takes with sdkmetric.WithProducer.
func (m *Metrics) Produce(context.Context) ([]metricdata.ScopeMetrics, error) {
	now := time.Now()
	byMetric := map[int][]metricdata.HistogramDataPoint[float64]{}
	var errs []error
	for _, s := range m.snapshot() {
		points, err := s.points()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for i := range points {
			p := &points[i]
			if m.table[p.Metric].Kind != Histogram {
				continue
			}
			dp := metricdata.HistogramDataPoint[float64]{
				Attributes:   attributesOf(p),
				StartTime:    s.start,
				Time:         now,
				Count:        p.Count,
				Bounds:       p.Bounds,
				BucketCounts: p.BucketCounts,
			}
			if p.HasSum {
				dp.Sum = p.Sum
			}
			byMetric[p.Metric] = append(byMetric[p.Metric], dp)
		}
	}
	var out []metricdata.Metrics
	for i, d := range m.table {
		if dps := byMetric[i]; len(dps) > 0 {
			out = append(out, metricdata.Metrics{
				Name:        d.Name,
				Description: d.Description,
				Unit:        d.Unit,
				Data: metricdata.Histogram[float64]{
					Temporality: metricdata.CumulativeTemporality,
					DataPoints:  dps,
				},
			})
		}
	}
	if len(out) == 0 {
		return nil, errors.Join(errs...)
	}
	return []metricdata.ScopeMetrics{{
		Scope:   instrumentation.Scope{Name: ScopeName},
		Metrics: out,
	}}, errors.Join(errs...)
}
