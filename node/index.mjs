import { createRequire } from 'node:module';

const cjs = createRequire(import.meta.url)('./index.js');

export const { Pool, PoolClient, PoolSet, LakebaseError, libraryVersion } = cjs;
export default cjs;
