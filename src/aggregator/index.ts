// The aggregator: the one reader of the Redis schema for the dashboards (and the forensic tool).
export * from './window.js';
export * from './sanitize.js';
export * from './format.js';
export * from './exchanges.js';
export * from './coin.js';
export * from './bucket.js';
export * from './filter.js';
export * from './cache.js';
export * from './read.js';
export * from './indexes.js';
export * from './health.js';
export * from './notes.js';
export * from './snapshot.js';
export * from './alerts.js';
export * from './history.js';
export * from './span.js';
export * from './streams.js';
