// PostGraphile 5 over the project's database, for the side-by-side comparison
// (../README.md). Amber preset, @graphile/pg-aggregates (the aggregate shape)
// and the connection-filter plugin (the search shape: `filter` on name).
//
// Production-like: no watch mode, no GraphiQL/Ruru, no explain, no query
// logging, GRAPHILE_ENV=production (set by ../run.sh).
// Tenant per request: the `x-tenant-id` header (a uuid) becomes the
// pgSettings entry TENANT_SETTING, which PostGraphile applies with
// set_config(..., true) inside the request's transaction; the project's
// row-level security policies read it. A missing or invalid header sets
// nothing, and row-level security then returns no rows (fail closed).
//
// Env: DATABASE_URL (the server role crm_app, not the owner), PORT, HOST,
//      PG_SCHEMAS (default public), TENANT_SETTING (default app.tenant_id),
//      PG_POOL_MAX (default 10, pg's default, per process),
//      WORKERS (default 1: one Node process, PostGraphile's usual deployment;
//      N > 1: node:cluster primary + N workers sharing the port, each with its
//      own schema and pool).
import cluster from "node:cluster";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PgAggregatesPreset } from "@graphile/pg-aggregates";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL) {
  console.error("DATABASE_URL is required (the project's crm_app URL)");
  process.exit(2);
}
const SCHEMAS = (process.env.PG_SCHEMAS ?? "public").split(",").map((s) => s.trim()).filter(Boolean);
const TENANT_SETTING = process.env.TENANT_SETTING ?? "app.tenant_id";
const PORT = Number(process.env.PORT ?? 5678);
const HOST = process.env.HOST ?? "127.0.0.1";
const POOL_MAX = Number(process.env.PG_POOL_MAX ?? 10);
const WORKERS = Number(process.env.WORKERS ?? 1);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION = JSON.parse(
  readFileSync(new URL("./node_modules/postgraphile/package.json", import.meta.url), "utf8"),
).version;

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, PgAggregatesPreset, PostGraphileConnectionFilterPreset],
  // The project's indexes for these relations and orderings are partial
  // (WHERE deleted_at IS NULL); PgIndexBehaviorsPlugin ignores partial indexes
  // and would hide customer->contacts and ordering by created_at. The queries
  // add `condition: { deletedAt: null }`, so PostgreSQL uses those indexes.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [
    makePgService({
      connectionString: DATABASE_URL,
      schemas: SCHEMAS,
      poolConfig: { max: POOL_MAX },
    }),
  ],
  grafserv: {
    host: HOST,
    port: PORT,
    graphqlPath: "/graphql",
    graphiql: false,
    graphiqlOnGraphQLGET: false,
    watch: false,
    websockets: false,
  },
  grafast: {
    explain: false,
    context(requestContext) {
      const tenant = requestContext.http?.getHeader("x-tenant-id");
      return {
        pgSettings:
          tenant && UUID_RE.test(tenant) ? { [TENANT_SETTING]: tenant } : {},
      };
    },
  },
};

async function startServer() {
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  server.keepAliveTimeout = 65_000;
  server.on("error", (e) => {
    console.error(e);
    process.exit(1);
  });
  await serv.addTo(server);
  await pgl.getSchema(); // build the schema before accepting traffic
  server.listen(PORT, HOST, () => {
    console.log(`postgraphile ${VERSION} ready on http://${HOST}:${PORT}/graphql (pid ${process.pid})`);
  });
  const shutdown = () => {
    server.close();
    pgl.release().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

function startCluster() {
  let stopping = false;
  let crashed = false;
  let ready = 0;
  for (let i = 0; i < WORKERS; i++) cluster.fork();
  cluster.on("listening", () => {
    if (++ready === WORKERS) {
      console.log(`postgraphile ${VERSION} cluster of ${WORKERS} workers ready on http://${HOST}:${PORT}/graphql (primary pid ${process.pid})`);
    }
  });
  cluster.on("exit", (w, code) => {
    if (!stopping) {
      console.error(`worker ${w.process.pid} exited (${code}); stopping`);
      stopping = crashed = true;
    }
    if (Object.keys(cluster.workers).length === 0) process.exit(crashed ? 1 : 0);
    for (const other of Object.values(cluster.workers)) other.process.kill("SIGTERM");
  });
  const stopAll = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers)) w.process.kill("SIGTERM");
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on("SIGTERM", stopAll);
  process.on("SIGINT", stopAll);
}

if (WORKERS > 1 && cluster.isPrimary) startCluster();
else await startServer();
