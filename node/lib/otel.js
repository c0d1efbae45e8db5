'use strict';
// OpenTelemetry metrics and spans for pools and per-user pool sets. The
// names, kinds, units and descriptions are the core's one table
// (lakebase_metric_at, lakebase_span_at, through the addon), the values the
// core's data points (lakebase_pool_metrics,
// lakebase_user_pools_metrics_from_stats) and finished spans (the onSpan
// option): this module keeps no name or mapping of its own. @opentelemetry/api is an optional
// peer dependency of the package: only this module loads it.
const native = require('./native');
const { version } = require('../package.json');

let api;
try {
  api = require('@opentelemetry/api');
} catch (e) {
  throw new Error('@lakebase/connector/otel needs @opentelemetry/api: npm install @opentelemetry/api',
    { cause: e });
}

/** The instrumentation scope the metrics and spans are exported under. */
const SCOPE_NAME = '@lakebase/connector';

// [seconds, nanoseconds] since the epoch, as OpenTelemetry JS writes times.
function hrTimeNow() {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

const toUnixNano = ([s, ns]) => BigInt(s) * 1000000000n + BigInt(ns);

class LakebaseMetrics {
  #table = native.metricTable();
  #sources = new Map(); // id -> { points(), startTime }
  #next = 0;

  /**
   * Observes a Pool or a PoolSet (anything with metrics(name)); `name`
   * becomes the db.client.connection.pool.name of its points: one name per
   * pool or set of the program, never a user's. Returns a function that
   * stops observing it.
   */
  add(source, name) {
    if (!source || typeof source.metrics !== 'function') {
      throw new TypeError('add() takes a Pool or a PoolSet');
    }
    const id = this.#next++;
    this.#sources.set(id, { points: () => source.metrics(name), startTime: hrTimeNow() });
    return () => {
      this.#sources.delete(id);
    };
  }

  // Every source's points now; a source that fails (ended...) is reported,
  // the others still are.
  #collect() {
    const collected = [];
    const errors = [];
    for (const source of this.#sources.values()) {
      try {
        collected.push({ source, points: source.points() });
      } catch (e) {
        errors.push(e);
      }
    }
    return { collected, errors };
  }

  /**
   * Creates an observable instrument on `meter` for every counter, up-down
   * counter and gauge of the core's table, and one batch callback observing
   * every added source. Histograms: see producer().
   * @returns {{ unregister(): void }}
   */
  register(meter) {
    const instruments = new Map(); // the table's index -> instrument
    for (const [i, d] of this.#table.entries()) {
      const opts = { unit: d.unit, description: d.description, valueType: api.ValueType.DOUBLE };
      switch (d.kind) {
        case 'counter':
          instruments.set(i, meter.createObservableCounter(d.name, opts));
          break;
        case 'updowncounter':
          instruments.set(i, meter.createObservableUpDownCounter(d.name, opts));
          break;
        case 'gauge':
          instruments.set(i, meter.createObservableGauge(d.name, opts));
          break;
        default: // histograms: producer()
          break;
      }
    }
    const observables = [...instruments.values()];
    const callback = (result) => {
      const { collected, errors } = this.#collect();
      for (const { points } of collected) {
        for (const p of points) {
          const instrument = instruments.get(p.metric);
          if (instrument) result.observe(instrument, p.value, p.attributes);
        }
      }
      if (errors.length > 0) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
    };
    meter.addBatchObservableCallback(callback, observables);
    return { unregister: () => meter.removeBatchObservableCallback(callback, observables) };
  }

  /**
   * OpenTelemetry's API has no observable histogram: the histograms the
   * core keeps (cumulative, with its bucket bounds) come from this SDK
   * MetricProducer, given to a reader:
   * new PeriodicExportingMetricReader({ exporter, metricProducers: [m.producer()] }).
   * Needs @opentelemetry/sdk-metrics (the reader's package).
   */
  producer() {
    const { AggregationTemporality, DataPointType } = require('@opentelemetry/sdk-metrics');
    return {
      collect: async () => {
        const { collected, errors } = this.#collect();
        const endTime = hrTimeNow();
        const byMetric = new Map(); // the table's index -> data points
        for (const { source, points } of collected) {
          for (const p of points) {
            if (this.#table[p.metric].kind !== 'histogram') continue;
            if (!byMetric.has(p.metric)) byMetric.set(p.metric, []);
            byMetric.get(p.metric).push({
              attributes: p.attributes,
              startTime: source.startTime,
              endTime,
              startTimeUnixNano: toUnixNano(source.startTime),
              endTimeUnixNano: toUnixNano(endTime),
              value: {
                buckets: { boundaries: p.bounds, counts: p.bucketCounts },
                count: p.count,
                sum: p.sum, // undefined for a histogram the core keeps without a sum
              },
            });
          }
        }
        const metrics = [...byMetric].map(([i, dataPoints]) => {
          const d = this.#table[i];
          return {
            descriptor: {
              name: d.name, description: d.description, unit: d.unit,
              valueType: api.ValueType.DOUBLE, type: 'HISTOGRAM',
            },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.HISTOGRAM,
            dataPoints,
          };
        });
        return {
          // A reader keeps its own resource and ignores a producer's.
          resourceMetrics: {
            resource: undefined,
            scopeMetrics: metrics.length > 0 ? [{ scope: { name: SCOPE_NAME, version }, metrics }] : [],
          },
          errors,
        };
      },
    };
  }
}

/**
 * Observes one Pool or PoolSet on `meterProvider` (default: the global one):
 * its counters, up-down counters and gauges. For the histograms too, use
 * LakebaseMetrics and give its producer() to the reader.
 * @returns {{ unregister(): void }}
 */
function instrument(source, { meterProvider = api.metrics.getMeterProvider(), name } = {}) {
  const m = new LakebaseMetrics();
  m.add(source, name);
  return m.register(meterProvider.getMeter(SCOPE_NAME, version));
}

/**
 * An `onSpan` option (of a Pool, a PoolSet or the pg adapter) that starts
 * and ends one span on `tracerProvider` (default: the global one) for each
 * span the core reports: a credential mint attempt or a new connection,
 * with its own start and end times, kind CLIENT, its attributes and, when
 * it failed, status ERROR with the error's message.
 * @returns {(span: object) => void}
 */
function tracing({ tracerProvider = api.trace.getTracerProvider() } = {}) {
  const tracer = tracerProvider.getTracer(SCOPE_NAME, version);
  return (span) => {
    const s = tracer.startSpan(span.name, {
      kind: api.SpanKind.CLIENT,
      startTime: span.startTime,
      attributes: span.attributes,
    });
    if (span.error) s.setStatus({ code: api.SpanStatusCode.ERROR, message: span.error.message });
    s.end(span.endTime);
  };
}

module.exports = {
  LakebaseMetrics,
  instrument,
  tracing,
  SCOPE_NAME,
  POOL_NAME_ATTRIBUTE: native.poolNameAttribute,
  metricTable: () => native.metricTable(),
  spanTable: () => native.spanTable(),
};
