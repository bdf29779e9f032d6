// Measurements, not tests: `npm run measure` loads the console's first pages
// in Debian's chromium against a real server (the e2e global setup starts
// one on a fresh database) and prints how long each took to become
// interactive. Nothing here passes or fails on a time.
import { defineConfig } from '@playwright/test';
import e2e from './playwright.config';

export default defineConfig({
  ...e2e,
  testDir: 'measure',
  timeout: 300_000,
  workers: 1,
  fullyParallel: false,
});
