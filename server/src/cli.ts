// The command's own words to whoever runs it (usage, addresses, the key shown once, a start that
// failed before a configuration exists) go to stdout/stderr as plain text; everything the running
// process reports goes through its logger (processLogger in standalone.ts).
import { loadConfig } from './config.ts';
import { dashboardAccessLine, openMigratedStorage, startApiOnly, startCollectorOnly, startSpanlens } from './standalone.ts';

const USAGE = `usage: spanlens <command>

  start                       collector, API and dashboard in one process
  collector --mode ingest     OTLP receivers -> Kafka (needs KAFKA_BROKERS)
  collector --mode write      Kafka -> ClickHouse writer (needs KAFKA_BROKERS)
  api                         query API and dashboard alone
  migrate                     apply pending ClickHouse migrations and exit

Configuration comes from the environment; see README.md.`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'start';
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  if (command === 'migrate') {
    const storage = await openMigratedStorage(config);
    await storage.close();
    console.log('spanlens: migrations applied');
    return 0;
  }
  if (command === 'collector') {
    const i = argv.indexOf('--mode');
    const mode = i >= 0 ? argv[i + 1] : undefined;
    if (mode !== 'ingest' && mode !== 'write') {
      console.error(`spanlens: collector needs --mode ingest or --mode write\n\n${USAGE}`);
      return 2;
    }
    const c = await startCollectorOnly(config, mode);
    if (c.generatedKey) console.log(`spanlens: created the default project. Its API key (shown once, store it now):\n\n    ${c.generatedKey}\n`);
    if (mode === 'ingest') {
      console.log(`spanlens: OTLP/HTTP on http://${config.SPANLENS_HOST}:${c.collector.httpPort}/v1/traces`);
      console.log(`spanlens: OTLP/gRPC on ${config.SPANLENS_HOST}:${c.collector.grpcPort}`);
    }
    console.log(`spanlens: collector (${mode}) with Kafka at ${config.KAFKA_BROKERS}`);
    console.log('spanlens: ready');
    onSignals(() => c.close());
    return -1;
  }
  if (command === 'api') {
    const a = await startApiOnly(config);
    console.log(`spanlens: API and dashboard on http://${config.SPANLENS_HOST}:${a.apiPort}/`);
    console.log(dashboardAccessLine(config));
    console.log('spanlens: ready');
    onSignals(() => a.close());
    return -1;
  }
  if (command !== 'start') {
    console.error(`spanlens: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  const app = await startSpanlens(config);
  const host = config.SPANLENS_HOST;
  if (app.generatedKey) {
    console.log(`spanlens: created the default project. Its API key (shown once, store it now):\n\n    ${app.generatedKey}\n`);
  }
  console.log(`spanlens: OTLP/HTTP on http://${host}:${app.collector.httpPort}/v1/traces`);
  console.log(`spanlens: OTLP/gRPC on ${host}:${app.collector.grpcPort}`);
  console.log(`spanlens: API and dashboard on http://${host}:${app.apiPort}/`);
  console.log(dashboardAccessLine(config));
  console.log(
    `spanlens: storage ${config.CLICKHOUSE_URL ? 'ClickHouse server' : `embedded ClickHouse in ${config.SPANLENS_DATA_DIR}`}${config.KAFKA_BROKERS ? `, buffered through Kafka at ${config.KAFKA_BROKERS}` : ''}`,
  );
  console.log('spanlens: ready');

  onSignals(() => app.close());
  return -1;
}

function onSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`spanlens: ${signal}, flushing and stopping`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`spanlens: shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    console.error(`spanlens: ${(err as Error).message}`);
    process.exit(1);
  },
);
