// Starts a real server for the run: builds `crm`, creates a fresh database,
// migrates it, serves the built console on a free port; the returned
// function stops the server and drops the database.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(web, '..');

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e tests with scripts/web.sh test (it loads .crm/env)`);
  return value;
}

/** `url` with its database name replaced. */
function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function psql(url: string, sql: string): void {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Deletes the run's Redis keys (cached views, sessions), when redis-cli is at hand. */
function forgetRedisKeys(prefix: string): void {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:56379/';
  try {
    const keys = execFileSync('redis-cli', ['-u', url, '--scan', '--pattern', `${prefix}:*`]).toString().split('\n').filter(Boolean);
    for (let i = 0; i < keys.length; i += 500) execFileSync('redis-cli', ['-u', url, 'DEL', ...keys.slice(i, i + 500)], { stdio: 'ignore' });
  } catch {
    // No redis-cli: the keys stay until Redis evicts them.
  }
}

async function waitForHealth(url: string, server: { exitCode: number | null }): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`crm serve exited (${server.exitCode}); see web/test-results/server.log`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`crm serve did not answer ${url}/healthz within 60 s`);
}

/**
 * Builds `crm` and copies it out of the target directory at once: a shared
 * CARGO_TARGET_DIR may get another checkout's build of it any moment. The
 * copy must know CRM_CONSOLE_DIR, else it came from elsewhere: build again.
 */
function buildServer(): string {
  const targetDir = process.env.CARGO_TARGET_DIR || path.join(repo, 'target');
  const copy = path.join(web, '.e2e', 'crm');
  mkdirSync(path.dirname(copy), { recursive: true });
  for (let attempt = 1; attempt <= 3; attempt++) {
    const started = Date.now();
    execFileSync('cargo', ['build', '--quiet', '--bin', 'crm'], { cwd: repo, stdio: 'inherit' });
    copyFileSync(path.join(targetDir, 'debug', 'crm'), copy);
    console.log(`e2e: crm built in ${Math.round((Date.now() - started) / 1000)} s`);
    if (readFileSync(copy).includes('CRM_CONSOLE_DIR')) return copy;
  }
  throw new Error('the crm binary in the target directory keeps coming from another checkout');
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.CRM_E2E_BASE_URL) return async () => undefined;
  const admin = need('DATABASE_ADMIN_URL');
  const app = need('DATABASE_URL');
  const owner = need('DATABASE_OWNER_URL');
  const dist = path.join(web, 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) throw new Error('web/dist is not built: run npm run build first');

  const binary = process.env.CRM_E2E_SERVER_BIN || buildServer();

  const database = `crm_e2e_${randomBytes(6).toString('hex')}`;
  psql(admin, `CREATE DATABASE ${database}`);
  const env = {
    ...process.env,
    DATABASE_URL: withDatabase(app, database),
    DATABASE_OWNER_URL: withDatabase(owner, database),
    CRM_REDIS_KEY_PREFIX: `crm-e2e:${database}`,
    CRM_LISTEN: `127.0.0.1:${need('CRM_E2E_PORT')}`,
    CRM_CONSOLE_DIR: dist,
    CRM_RATE_ANONYMOUS_PER_MIN: '100000',
    CRM_RATE_FREE_CALLER_PER_MIN: '100000',
    CRM_RATE_FREE_TENANT_PER_MIN: '100000',
    CRM_LOG_FORMAT: 'json',
    RUST_LOG: 'warn',
  };
  // For tests that read what the server sent (an invitation's token): the
  // workers inherit the main process's environment.
  process.env.CRM_E2E_DATABASE_OWNER_URL = env.DATABASE_OWNER_URL;
  const drop = () => {
    psql(admin, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    forgetRedisKeys(env.CRM_REDIS_KEY_PREFIX);
  };
  try {
    execFileSync(binary, ['migrate'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (e) {
    drop();
    throw e;
  }

  mkdirSync(path.join(web, 'test-results'), { recursive: true });
  const log = createWriteStream(path.join(web, 'test-results', 'server.log'));
  const server = spawn(binary, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  const url = `http://${env.CRM_LISTEN}`;
  try {
    await waitForHealth(url, server);
  } catch (e) {
    server.kill('SIGTERM');
    drop();
    throw e;
  }

  return async () => {
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    drop();
  };
}
