import { createRequire } from 'node:module';

const cjs = createRequire(import.meta.url)('./otel.js');

export const { LakebaseMetrics, instrument, tracing, SCOPE_NAME, POOL_NAME_ATTRIBUTE, metricTable, spanTable } = cjs;
export default cjs;
