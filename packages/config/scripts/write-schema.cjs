#!/usr/bin/env node
// Writes packages/config/schema.json from the schema authored in src/schema.ts (built to dist/).
// Run whenever the schema changes: `npx nx run @booty/config:write-schema` (builds first).
// src/schema-file.spec.ts fails while the committed file differs from the built schema.
const fs = require('node:fs');
const path = require('node:path');

const { bootyConfigSchema } = require('../dist/schema.js');
const target = path.join(__dirname, '..', 'schema.json');
const text = `${JSON.stringify(bootyConfigSchema, null, 2)}\n`;
const before = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
if (before === text) {
  console.log(`schema.json is up to date (${target})`);
} else {
  fs.writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
