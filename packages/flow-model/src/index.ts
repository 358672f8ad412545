export * from './connector.types.js';
export * from './flow.types.js';
export * from './flow.problems.js';
export * from './flow.schema.js';
export * from './flow.graph.js';
export * from './expression.analyze.js';
export * from './flow.validate.js';
export * from './flow.edit.js';
