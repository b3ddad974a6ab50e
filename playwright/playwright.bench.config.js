// Playwright configuration for make bench (scripts/bench.sh): the browser
// benchmarks of BENCHMARKS.md, one at a time so they do not disturb each
// other. BASE_URL, BENCH_OUT and BENCH_FIXTURE come from the script.
const { defineConfig } = require('@playwright/test');
const { chromiumArgs } = require('./playwright.config');

module.exports = defineConfig({
  testDir: './bench',
  testMatch: /.*\.bench\.js$/,
  timeout: 20 * 60_000,
  expect: { timeout: 120_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results/bench',
  use: {
    baseURL: process.env.BASE_URL || 'http://127.0.0.1:8080',
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
  },
});
