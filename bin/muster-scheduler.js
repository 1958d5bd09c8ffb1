#!/usr/bin/env node
// The muster-scheduler daemon (built from scheduler/src by `npm run build`).
import '../dist/scheduler/src/main.js';
