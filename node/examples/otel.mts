// Per-user pools, OpenTelemetry metrics and spans, type-checked against
// index.d.ts and otel.d.ts (test/typecheck.test.js).
import { Pool, PoolSet } from '@lakebase/connector';
import { LakebaseMetrics, SCOPE_NAME, instrument, tracing } from '@lakebase/connector/otel';
import { MeterProvider, PeriodicExportingMetricReader, ConsoleMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

// A span for each credential mint and each new connection.
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())],
});
const onSpan = tracing({ tracerProvider });
const pool = new Pool({ max: 4, tokenSource: async () => process.env.DATABRICKS_TOKEN ?? '', onSpan });
const users = new PoolSet({ max: 2, maxPools: 100, idleEvictSeconds: 600, onSpan });

const metrics = new LakebaseMetrics();
const reader = new PeriodicExportingMetricReader({
  exporter: new ConsoleMetricExporter(),
  metricProducers: [metrics.producer()],
});
const provider = new MeterProvider({ readers: [reader] });
metrics.add(pool, 'main');
const stop = metrics.add(users, 'obo');
const registration = metrics.register(provider.getMeter(SCOPE_NAME));
const quick = instrument(pool, { meterProvider: provider, name: 'quick' });

const who = { user: 'someone@example.com', token: process.env.FORWARDED_TOKEN ?? null };
const { rows } = await users.query<{ who: string }>(who, 'SELECT current_user AS who');
console.log(rows[0].who, users.stats().pools, pool.metrics('main').length);
const client = await users.connect(who);
client.release();

stop();
quick.unregister();
registration.unregister();
await provider.shutdown();
await tracerProvider.shutdown();
await users.end();
await pool.end();
