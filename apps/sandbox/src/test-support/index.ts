// Helpers for tests of other packages (connectors, runtime) that drive the sandbox over HTTP.
export * from './admin.js';
export * from './oauth.js';
export * from './books.js';
