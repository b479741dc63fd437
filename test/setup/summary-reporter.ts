import type { Reporter, TestModule } from 'vitest/node'

// One plain closing line that any CI log reader understands: "tests: N passed, N failed, N skipped".
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const count = { passed: 0, failed: 0, skipped: 0 }
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === 'passed')
          count.passed++
        else if (state === 'failed')
          count.failed++
        else
          count.skipped++
      }
      // A file that failed to load, or whose beforeAll failed (its tests then read as skipped),
      // must still count as a failure.
      if (module.state() === 'failed' && ![...module.children.allTests()].some(test => test.result().state === 'failed'))
        count.failed++
    }
    process.stdout.write(`\ntests: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped\n`)
  }
}
