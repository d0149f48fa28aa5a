// Writes the run's totals where .ci/run reads them, so CI can print one plain "N passed, M failed" line.
const fs = require("node:fs");
const path = require("node:path");

class CountReporter {
  onRunComplete(_contexts, results) {
    const out = path.join(process.cwd(), ".test-results.json");
    const failedSuites = results.numRuntimeErrorTestSuites ?? 0;
    fs.writeFileSync(
      out,
      JSON.stringify({
        passed: results.numPassedTests,
        failed: results.numFailedTests + failedSuites,
        skipped: results.numPendingTests + results.numTodoTests,
      }),
    );
  }
}

module.exports = CountReporter;
