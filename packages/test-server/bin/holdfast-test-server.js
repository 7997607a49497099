#!/usr/bin/env node
// A committed shim, so that `pnpm install` on a clean checkout (no dist yet) can link the bin without warnings.
import '../dist/cli.js'
