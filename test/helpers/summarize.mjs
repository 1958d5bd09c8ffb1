#!/usr/bin/env node
// Prints one closing line for the whole suite from vitest JSON reports:
// `tests: N passed, M failed` (CI reads this plain line), preceded by the
// file and full name of every failed test with the first line of its error,
// so that a log's tail alone says what broke. Exits non-zero when any report
// is missing or has failures.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let missing = 0;
const failures = [];
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.error(`summary: no report at ${file}`);
    missing++;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  for (const suite of r.testResults ?? []) {
    for (const t of suite.assertionResults ?? []) {
      if (t.status !== 'failed') continue;
      const first = String(t.failureMessages?.[0] ?? '').split('\n')[0].slice(0, 300);
      failures.push(`FAILED ${suite.name}\n  > ${t.fullName}\n    ${first}`);
    }
    // A file that failed outside its tests (an import, a hook such as afterAll) has no failed test to name.
    if (suite.status === 'failed' && !(suite.assertionResults ?? []).some((t) => t.status === 'failed')) {
      failures.push(`FAILED ${suite.name}\n    ${String(suite.message ?? '').split('\n')[0].slice(0, 300)}`);
    }
  }
}
for (const f of failures) console.log(f);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || missing > 0 || failures.length > 0 ? 1 : 0);
