/** Configuration problems, reported all together with their paths. */
import type { FieldIssue } from '../errors.js';

/** ConfigError carries every problem found while loading a configuration. */
export class ConfigError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(formatConfigIssues(issues));
    this.name = 'ConfigError';
  }
}

/** formatConfigIssues renders one problem per line: `  - path: message`. */
export function formatConfigIssues(issues: FieldIssue[]): string {
  return ['invalid configuration:', ...issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`)].join('\n');
}
