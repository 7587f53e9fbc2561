/** `ferryctl install control-plane`: prints the manifests for running Ferry on Kubernetes. */
import type { Command } from 'commander';
import { controlPlaneManifests } from './manifests.js';
import { DEFAULT_IMAGE, DEFAULT_NAMESPACE } from './names.js';
import { renderManifests } from './render.js';

// a valid DNS-1123 label, which is what namespace names are
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function namespaceName(value: string): string {
  if (!NAMESPACE_NAME.test(value)) throw new Error(`invalid namespace ${JSON.stringify(value)}: must be a lowercase RFC 1123 label`);
  return value;
}

export function registerInstallControlPlaneCommand(program: Command): void {
  const install = program.commands.find((c) => c.name() === 'install') ?? program.command('install').description('install various components');
  install
    .command('control-plane')
    .description('print the Kubernetes resources that run the Ferry control plane (apply them with kubectl apply -f -)')
    .option('--namespace <namespace>', 'namespace to install the control plane into', namespaceName, DEFAULT_NAMESPACE)
    .option('--control-plane-image <image>', 'image of the control plane', DEFAULT_IMAGE)
    .action(async (flags: { namespace: string; controlPlaneImage: string }) => {
      const manifests = await controlPlaneManifests({ namespace: flags.namespace, image: flags.controlPlaneImage });
      process.stdout.write(renderManifests(manifests));
    });
}
