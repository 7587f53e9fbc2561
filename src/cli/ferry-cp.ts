/** `ferry-cp`: runs the control plane, or its database migrations. */
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/config.js';
import { createLogger } from '../logging.js';
import { startControlPlane } from '../cp/control-plane.js';
import { FERRY_VERSION, KUMA_API_VERSION } from '../version.js';
import { runMigrations } from '../store/postgres/run-migrations.js';

function fail(err: unknown): never {
  const msg = err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err);
  process.stderr.write(`Error: ${msg}\n`);
  process.exit(1);
}

const program = new Command('ferry-cp').description('Ferry control plane').version(FERRY_VERSION);

program
  .command('run')
  .description('run the control plane')
  .option('-c, --config-file <file>', 'YAML configuration file')
  .action(async (opts: { configFile?: string }) => {
    let cfg;
    try {
      cfg = loadConfig({ file: opts.configFile });
    } catch (e) {
      fail(e);
    }
    const logger = createLogger(cfg.general.logLevel);
    try {
      const cp = await startControlPlane(cfg, logger);
      const shutdown = async (signal: string) => {
        logger.info({ signal }, 'stopping');
        await cp.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
    } catch (e) {
      logger.error({ err: e }, 'control plane failed to start');
      fail(e);
    }
  });

const migrate = program.command('migrate').description('manage the PostgreSQL schema');
migrate
  .command('up')
  .description('apply pending migrations (safe to repeat)')
  .option('-c, --config-file <file>', 'YAML configuration file')
  .action(async (opts: { configFile?: string }) => {
    try {
      const cfg = loadConfig({ file: opts.configFile });
      if (cfg.store.type !== 'postgres') throw new ConfigError('migrations need store.type postgres (FERRY_STORE_TYPE=postgres)');
      const pg = cfg.store.postgres;
      const applied = await runMigrations({
        host: pg.host,
        port: pg.port,
        user: pg.user,
        password: pg.password,
        dbName: pg.dbName,
        connectTimeoutMs: pg.connectionTimeout * 1000,
      });
      process.stdout.write(applied.length === 0 ? 'database is up to date\n' : `applied migrations: ${applied.join(', ')}\n`);
    } catch (e) {
      fail(e);
    }
  });

program
  .command('version')
  .description('print the version')
  .action(() => {
    process.stdout.write(`Ferry ${FERRY_VERSION} (Kuma API ${KUMA_API_VERSION})\n`);
  });

await program.parseAsync(process.argv);
