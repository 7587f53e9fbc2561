/** `ferryctl`: apply, get, delete and inspect resources through the REST API. */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { stringify as toYaml } from 'yaml';
import { ApiClient } from './api-client.js';
import { DocumentError, readDocuments } from './documents.js';
import { renderTable } from './table.js';
import { genericView, getViews, inspectDataplanesView, inspectServicesView } from './views.js';
import { createRegistry } from '../resources/index.js';
import type { KindDescriptor } from '../core/registry.js';
import { FERRY_VERSION } from '../version.js';
import { requestDataplaneToken } from '../tokens/client.js';
import { parseTagFlags, parseValidForFlag } from '../tokens/token-request-flags.js';
import { registerTransparentProxyCommands } from '../transparent-proxy/cli.js';
import { registerInstallControlPlaneCommand } from '../k8s/install/cli.js';

const registry = createRegistry();

function client(cmd: Command): ApiClient {
  const opts = cmd.optsWithGlobals() as { apiServer?: string };
  return new ApiClient(opts.apiServer ?? process.env.FERRY_API_SERVER ?? 'http://localhost:5681');
}

function kindFor(word: string): KindDescriptor {
  const kind = registry.byCliName(word);
  if (!kind) {
    const known = registry.all().map((k) => k.path).join(', ');
    throw new Error(`unknown resource type "${word}". Known types: ${known}`);
  }
  return kind;
}

function collectionPath(kind: KindDescriptor, mesh: string): string {
  return kind.scope === 'Mesh' ? `/meshes/${encodeURIComponent(mesh)}/${kind.path}` : `/${kind.path}`;
}

function itemPath(kind: KindDescriptor, mesh: string, name: string): string {
  return `${collectionPath(kind, mesh)}/${encodeURIComponent(name)}`;
}

type Output = 'table' | 'yaml' | 'json';

function print(output: Output, value: unknown, table: () => string): void {
  if (output === 'json') process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  else if (output === 'yaml') process.stdout.write(toYaml(value));
  else process.stdout.write(table());
}

const outputOption = () => new Option('-o, --output <format>', 'output format').choices(['table', 'yaml', 'json']).default('table');

const program = new Command('ferryctl')
  .description('Command-line client for the Ferry control plane')
  .version(FERRY_VERSION)
  .option('--api-server <url>', 'control-plane API address (default: $FERRY_API_SERVER or http://localhost:5681)')
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(str) });

program
  .command('apply')
  .description('create or update resources from YAML or JSON (multi-document)')
  .requiredOption('-f, --file <file>', "file to read, or '-' for standard input")
  .action(async (opts: { file: string }, cmd: Command) => {
    const source = opts.file === '-' ? 'stdin' : opts.file;
    const text = opts.file === '-' ? readFileSync(0, 'utf8') : readFileSync(opts.file, 'utf8');
    const docs = readDocuments(text, source);
    const api = client(cmd);
    let failed = 0;
    for (const doc of docs) {
      const where = `${source}: document ${doc.index} (line ${doc.line})`;
      try {
        const value = doc.value as Record<string, unknown>;
        if (typeof value !== 'object' || Array.isArray(value)) throw new Error('a resource must be a mapping');
        if (typeof value.type !== 'string' || value.type === '') throw new Error('type: cannot be empty');
        const kind = registry.get(value.type);
        if (!kind) throw new Error(`type: unknown resource type "${value.type}"`);
        if (typeof value.name !== 'string' || value.name === '') throw new Error('name: cannot be empty');
        const mesh = kind.scope === 'Mesh' ? (typeof value.mesh === 'string' && value.mesh ? value.mesh : 'default') : '';
        const body = kind.scope === 'Mesh' ? { ...value, mesh } : value;
        await api.request('PUT', itemPath(kind, mesh, value.name), body);
      } catch (e) {
        failed++;
        process.stderr.write(`Error: ${where}: ${(e as Error).message}\n`);
      }
    }
    if (failed > 0) throw new Error(`${failed} of ${docs.length} resources were not applied`);
  });

program
  .command('get')
  .description('list resources of a kind, or show one')
  .argument('<kind>', 'meshes, dataplanes, secrets, global-secrets, dataplane-insights (singular forms work too)')
  .argument('[name]', 'resource name')
  .option('-m, --mesh <mesh>', 'mesh', 'default')
  .addOption(outputOption())
  .action(async (word: string, name: string | undefined, opts: { mesh: string; output: Output }, cmd: Command) => {
    const kind = kindFor(word);
    const api = client(cmd);
    const view = getViews[kind.name] ?? genericView(kind.scope);
    if (name) {
      const item = await api.get<Record<string, unknown>>(itemPath(kind, opts.mesh, name));
      print(opts.output, item, () => renderTable(view.headers, [view.row(item)]));
      return;
    }
    const list = await api.listAll<Record<string, unknown>>(collectionPath(kind, opts.mesh));
    print(opts.output, { total: list.total, items: list.items, next: null }, () => renderTable(view.headers, list.items.map(view.row)));
  });

program
  .command('delete')
  .description('delete a resource')
  .argument('<kind>', 'resource kind (mesh, dataplane, secret, …)')
  .argument('<name>', 'resource name')
  .option('-m, --mesh <mesh>', 'mesh', 'default')
  .action(async (word: string, name: string, opts: { mesh: string }, cmd: Command) => {
    const kind = kindFor(word);
    await client(cmd).request('DELETE', itemPath(kind, opts.mesh, name));
    process.stdout.write(`deleted ${kind.name} "${name}"\n`);
  });

const inspect = program.command('inspect').description('show resources with their live status');
inspect
  .command('dataplanes')
  .description('list dataplanes with connection status')
  .option('-m, --mesh <mesh>', 'mesh', 'default')
  .option('--gateway', 'only gateways')
  .option('--tag <tag...>', 'only dataplanes with these tags (key=value; value is a substring)')
  .addOption(outputOption())
  .action(async (opts: { mesh: string; gateway?: boolean; tag?: string[]; output: Output }, cmd: Command) => {
    const query = new URLSearchParams();
    if (opts.gateway) query.set('gateway', 'true');
    for (const tag of opts.tag ?? []) {
      const i = tag.indexOf('=');
      if (i <= 0) throw new Error(`--tag ${JSON.stringify(tag)}: expected key=value`);
      query.append('tag', `${tag.slice(0, i)}:${tag.slice(i + 1)}`);
    }
    const list = await client(cmd).listAll<Record<string, unknown>>(`/meshes/${encodeURIComponent(opts.mesh)}/dataplanes/_overview`, query);
    print(opts.output, { total: list.total, items: list.items, next: null }, () =>
      renderTable(inspectDataplanesView.headers, list.items.map(inspectDataplanesView.row)),
    );
  });

inspect
  .command('services')
  .description('list services with their .mesh address and status')
  .option('-m, --mesh <mesh>', 'mesh', 'default')
  .addOption(outputOption())
  .action(async (opts: { mesh: string; output: Output }, cmd: Command) => {
    const list = await client(cmd).listAll<Record<string, unknown>>(`/meshes/${encodeURIComponent(opts.mesh)}/service-insights`);
    print(opts.output, { total: list.total, items: list.items, next: null }, () =>
      renderTable(inspectServicesView.headers, list.items.map(inspectServicesView.row)),
    );
  });

inspect
  .command('dataplane')
  .description("show one dataplane's generated Envoy configuration")
  .argument('<name>', 'dataplane name')
  .option('-m, --mesh <mesh>', 'mesh', 'default')
  .addOption(new Option('--type <type>', 'what to show').choices(['config', 'config-dump', 'policies']).default('config'))
  .action(async (name: string, opts: { mesh: string; type: string }, cmd: Command) => {
    const base = `/meshes/${encodeURIComponent(opts.mesh)}/dataplanes/${encodeURIComponent(name)}`;
    const body = await client(cmd).get(opts.type === 'policies' ? `${base}/policies` : `${base}/xds`);
    process.stdout.write(JSON.stringify(body, null, 2) + '\n');
  });

program
  .command('generate')
  .description('generate credentials')
  .command('dataplane-token')
  .description('generate a Dataplane Token that proves a data plane proxy\'s identity (printed without a newline)')
  .option('-m, --mesh <mesh>', 'mesh to use', 'default')
  .option('--name <name>', 'name of the Dataplane', '')
  .option('--proxy-type <type>', 'type of the Dataplane ("dataplane", "ingress")', '')
  .option('--tag <key=values>', 'required tag values for dataplane (split values by comma to provide multiple values)', (v: string, all: string[]) => [...all, v], [])
  .option('--workload <workload>', 'required workload label value for dataplane', '')
  .requiredOption('--valid-for <duration>', 'how long the token will be valid (for example "24h")')
  .action(async (opts: { mesh: string; name: string; proxyType: string; tag: string[]; workload: string; validFor: string }, cmd: Command) => {
    const validFor = parseValidForFlag(opts.validFor);
    const server = (cmd.optsWithGlobals() as { apiServer?: string }).apiServer ?? process.env.FERRY_API_SERVER ?? 'http://localhost:5681';
    const token = await requestDataplaneToken(
      server,
      { name: opts.name, mesh: opts.mesh, tags: parseTagFlags(opts.tag), type: opts.proxyType, workload: opts.workload, validFor },
      { authToken: process.env.FERRY_API_TOKEN },
    );
    process.stdout.write(token);
  });

registerTransparentProxyCommands(program);
registerInstallControlPlaneCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const msg = e instanceof DocumentError ? e.message : (e as Error).message;
  process.stderr.write(`Error: ${msg}\n`);
  process.exitCode = 1;
}
