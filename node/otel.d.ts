/// <reference types="node" />
import type { Meter, MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { LakebaseSpan, MetricPoint } from './index';

/** Anything with the core's data points: a Pool or a PoolSet. */
export interface MetricSource {
  metrics(name?: string): MetricPoint[];
}

export interface Registration {
  unregister(): void;
}

/** A metric of the core's table (lakebase_metric_at). */
export interface MetricDescription {
  name: string;
  kind: 'counter' | 'updowncounter' | 'gauge' | 'histogram';
  unit: string;
  description: string;
  /** Attribute keys of its points, besides the pool name. */
  attributes: string[];
}

/** A span of the core's table (lakebase_span_at). */
export interface SpanDescription {
  name: string;
  description: string;
  attributes: string[];
}

/** An SDK MetricProducer (@opentelemetry/sdk-metrics), for a reader's
 * `metricProducers`: the core's histograms. */
export interface LakebaseMetricProducer {
  collect(options?: { timeoutMillis?: number }): Promise<{ resourceMetrics: any; errors: unknown[] }>;
}

export class LakebaseMetrics {
  /** Observes a Pool or PoolSet, its points named `name` (one name per
   * pool or set, never a user's); returns a function that stops it. */
  add(source: MetricSource, name?: string): () => void;
  /** Observable counters, up-down counters and gauges on `meter`. */
  register(meter: Meter): Registration;
  /** The histograms, as an SDK MetricProducer. */
  producer(): LakebaseMetricProducer;
}

/** Observes one source's counters, up-down counters and gauges on
 * `meterProvider` (default: the global one). */
export function instrument(source: MetricSource,
                           options?: { meterProvider?: MeterProvider; name?: string }): Registration;

/** An `onSpan` option sending each span the library reports to a tracer
 * of `tracerProvider` (default: the global one): kind CLIENT, the span's
 * own start and end times and attributes, status ERROR with the error's
 * message when it failed. */
export function tracing(options?: { tracerProvider?: TracerProvider }): (span: LakebaseSpan) => void;

export const SCOPE_NAME: string;
/** db.client.connection.pool.name */
export const POOL_NAME_ATTRIBUTE: string;
export function metricTable(): MetricDescription[];
export function spanTable(): SpanDescription[];
