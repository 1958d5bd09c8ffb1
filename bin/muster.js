#!/usr/bin/env node
// The `muster` CLI (built from cli/src by `npm run build`).
import '../dist/cli/src/main.js';
