import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';

// A free port for the server the global setup starts; set once here, in the
// main process, so the test workers inherit it.
// CRM_E2E_BASE_URL runs the tests against a server already running instead.
process.env.CRM_E2E_PORT ||= execFileSync(process.execPath, [
  '-e',
  "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})",
]).toString();

export default defineConfig({
  testDir: 'e2e',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  workers: 2,
  fullyParallel: true,
  // No retries: a journey that fails once fails the run.
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: process.env.CRM_E2E_BASE_URL || `http://127.0.0.1:${process.env.CRM_E2E_PORT}`,
    screenshot: 'only-on-failure',
    trace: 'off',
    video: 'off',
    headless: true,
    // Debian's chromium, never a downloaded browser. Playwright launches it
    // with a fresh temporary profile (user-data-dir) every time.
    launchOptions: {
      executablePath: process.env.CRM_E2E_CHROMIUM || '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
