/** The shared library of Muster: proto loading and types, errors, logging, config, subjects, resources. */
export * from './errors.js';
export * from './ids.js';
export * from './resources.js';
export * from './subjects.js';
export * from './clock.js';
export * from './version.js';
