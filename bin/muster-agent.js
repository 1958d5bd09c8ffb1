#!/usr/bin/env node
// The muster-agent daemon (built from agent/src by `npm run build`).
import '../dist/agent/src/main.js';
