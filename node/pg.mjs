import { createRequire } from 'node:module';

const cjs = createRequire(import.meta.url)('./pg.js');

export const { lakebasePassword, pgConfig } = cjs;
export default cjs;
