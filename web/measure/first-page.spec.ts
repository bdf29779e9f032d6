// How soon the first page a person opens is interactive: the sign-in page
// for a visitor, and the customer list (the page after sign-in, with a full
// page of customers) for a signed-in user, each loaded with an empty browser
// cache and again with a warm one. "Interactive" is the later of two
// moments, both read in the page from navigation start: the page's main
// control is in the document with its data (the sign-in form's email field;
// the customer list's rows and total), and the end of the last long task
// (over 50 ms) that started before then, since until that task ends the
// page cannot answer a click. Results are printed and written to
// test-results/first-page.json.
import { test, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { api, signUp } from '../e2e/helpers';

const RUNS = Number(process.env.CRM_MEASURE_RUNS || 7);

interface Sample {
  /** Milliseconds from navigation start until interactive. */
  interactive: number;
  /** Until the main control was in the document with its data. */
  ready: number;
  /** Until the last long task before `ready` ended (0 for none). */
  lastLongTaskEnd: number;
  domContentLoaded: number;
  /** JavaScript bytes fetched over the network (0 from the cache). */
  scriptBytes: number;
}

/** Records, in the page, when `selector` first matches and every long task. */
function watchFor(selector: string): string {
  return `(() => {
    const w = window;
    w.__longTasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push([e.startTime, e.startTime + e.duration]);
      }).observe({ type: 'longtask', buffered: true });
    } catch {}
    const check = () => {
      if (w.__ready === undefined && document.querySelector(${JSON.stringify(selector)})) w.__ready = performance.now();
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
  })();`;
}

async function measure(page: Page, path: string, coldCache: boolean): Promise<Sample> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  if (coldCache) await cdp.send('Network.clearBrowserCache');
  await page.goto(path);
  await page.waitForFunction(() => (window as unknown as { __ready?: number }).__ready !== undefined, undefined, { timeout: 30_000 });
  // Let tasks that began before `ready` finish and be reported.
  await page.waitForTimeout(500);
  await cdp.detach();
  return page.evaluate(() => {
    const w = window as unknown as { __ready: number; __longTasks: [number, number][] };
    const lastLongTaskEnd = Math.max(0, ...w.__longTasks.filter(([start]) => start < w.__ready).map(([, end]) => end));
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const scripts = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((r) => r.name.endsWith('.js'));
    return {
      interactive: Math.round(Math.max(w.__ready, lastLongTaskEnd)),
      ready: Math.round(w.__ready),
      lastLongTaskEnd: Math.round(lastLongTaskEnd),
      domContentLoaded: Math.round(nav.domContentLoadedEventEnd),
      scriptBytes: scripts.reduce((sum, r) => sum + r.transferSize, 0),
    };
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
};

test('first page interactive', async ({ browser, page }) => {
  const results: Record<string, Sample[]> = {};
  const load = os.loadavg()[0];

  // A visitor: the sign-in page, each run in a fresh browser context.
  for (const cold of [true, false]) {
    const name = `sign-in, ${cold ? 'empty' : 'warm'} cache`;
    results[name] = [];
    const context = await browser.newContext();
    const visitor = await context.newPage();
    await visitor.addInitScript(watchFor('form input'));
    if (!cold) await visitor.goto('/sign-in');
    for (let i = 0; i < RUNS; i++) results[name].push(await measure(visitor, '/sign-in', cold));
    await context.close();
  }

  // A signed-in user: the customer list with a full page of customers.
  await signUp(page, 'measure', 'Measured Works');
  for (let i = 0; i < 20; i++) {
    await api(page, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }', {
      i: { kind: 'COMPANY', name: `Customer ${String(i + 1).padStart(2, '0')}`, email: `c${i}@measure.example` },
    });
  }
  await page.addInitScript(watchFor('[data-testid="customer-total"]'));
  for (const cold of [true, false]) {
    const name = `customer list, signed in, ${cold ? 'empty' : 'warm'} cache`;
    results[name] = [];
    for (let i = 0; i < RUNS; i++) results[name].push(await measure(page, '/customers', cold));
  }

  const summary = Object.entries(results).map(([name, samples]) => ({
    page: name,
    runs: samples.length,
    interactiveMedianMs: median(samples.map((s) => s.interactive)),
    interactiveMaxMs: Math.max(...samples.map((s) => s.interactive)),
    readyMedianMs: median(samples.map((s) => s.ready)),
    domContentLoadedMedianMs: median(samples.map((s) => s.domContentLoaded)),
    scriptKB: Math.round(median(samples.map((s) => s.scriptBytes)) / 1024),
  }));
  const report = { measuredAt: new Date().toISOString(), cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadAverage1m: load, summary, samples: results };
  writeFileSync('test-results/first-page.json', JSON.stringify(report, null, 2));
  console.log(`first page interactive (${RUNS} runs each; ${report.cpus} CPUs, load ${load.toFixed(2)}):`);
  console.table(summary);
});
