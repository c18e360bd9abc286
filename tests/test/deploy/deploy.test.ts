// The deployment files of deploy/: the systemd unit, the Dockerfile and the Kubernetes manifests. No Docker
// engine or cluster runs here, so they are parsed and checked against each other and against tockd itself:
// the configuration each one gives tockd is fed to the built tockd, which must start with it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram, run, stopAll } from '@tock/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { startTockd, TOCKD } from '../server/support.ts';

afterAll(stopAll);

const DEPLOY = new URL('../../../deploy/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, DEPLOY), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'tock-deploy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Starts tockd the way a deployment file does, on free ports, and checks its health endpoint answers. */
async function startsWith(args: readonly string[], env: Record<string, string>) {
  const tockd = await startTockd(args, 30_000, {
    ...process.env,
    ...env,
    TOCK_PORT: '0',
    TOCK_METRICS_PORT: env.TOCK_METRICS_PORT === undefined ? '0' : env.TOCK_METRICS_PORT,
  });
  try {
    const listening = tockd.listening;
    if (tockd.metricsUrl !== undefined) {
      const health = await fetch(tockd.metricsUrl.replace('[::]', '[::1]').replace('/metrics', '/healthz'));
      expect(health.status).toBe(200);
    }
    return listening;
  } finally {
    expect((await tockd.stop()).code).toBe(0);
  }
}

// --- Kubernetes -------------------------------------------------------------------------------------------

interface K8sObject {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec?: any;
  readonly data?: Record<string, string>;
}

const kustomization = parseAllDocuments(read('kubernetes/kustomization.yaml'))[0]!.toJSON() as {
  resources: string[];
  images: Array<{ name: string }>;
};
const objects: K8sObject[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(read(`kubernetes/${file}`)).map((doc) => {
    expect(doc.errors, file).toEqual([]);
    return doc.toJSON() as K8sObject;
  }),
);
const one = (kind: string): K8sObject => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

describe('the Kubernetes manifests', () => {
  const deployment = one('Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const port = (name: string) => container.ports.find((p: { name: string }) => p.name === name);
  const config = JSON.parse(one('ConfigMap').data!['config.json']!);

  it('are a Deployment, a UDP Service, a HorizontalPodAutoscaler, a ConfigMap and a PodDisruptionBudget', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Service',
    ]);
    expect(kustomization.images.map((i) => i.name)).toContain(container.image);
  });

  it('give tockd a configuration it starts with: the ConfigMap mounted where the args point, and the env', async () => {
    const mount = container.volumeMounts.find((m: { name: string }) => m.name === 'config');
    expect(pod.volumes.find((v: { name: string }) => v.name === 'config').configMap.name).toBe(
      one('ConfigMap').metadata.name,
    );
    writeFileSync(join(scratch, 'k8s-config.json'), one('ConfigMap').data!['config.json']!);
    const args = (container.args as string[]).map((a) =>
      a === `${mount.mountPath}/config.json` ? join(scratch, 'k8s-config.json') : a,
    );
    const env = Object.fromEntries(
      container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    const listening = await startsWith(args, env);
    expect(listening.workers).toBe(config.workers);
  });

  it('match the ports: tockd listens on the UDP container port, which the Service maps 123 and 13 to', () => {
    expect(port('time')).toEqual({ name: 'time', containerPort: config.port, protocol: 'UDP' });
    expect(config.port).toBeGreaterThanOrEqual(1024); // no privilege needed in the pod
    expect(config.host).toBe('::');
    const service = one('Service');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(service.spec.ports).toEqual([
      { name: 'ntp', port: 123, targetPort: 'time', protocol: 'UDP' },
      { name: 'daytime', port: 13, targetPort: 'time', protocol: 'UDP' },
    ]);
    // Client addresses must reach tockd for per-source rate limits.
    expect(service.spec.externalTrafficPolicy).toBe('Local');
  });

  it('probe /healthz on the metrics port tockd serves', () => {
    expect(port('metrics')).toEqual({ name: 'metrics', containerPort: config.metrics.port, protocol: 'TCP' });
    expect(config.metrics.host).toBe('::');
    for (const probe of [container.readinessProbe, container.livenessProbe])
      expect(probe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe(
      String(config.metrics.port),
    );
  });

  it('scale the Deployment on CPU, which it requests, with as many workers as its CPU limit', () => {
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    expect(container.resources.requests.cpu).toBeDefined();
    expect(Number(container.resources.limits.cpu)).toBe(config.workers);
    expect(one('PodDisruptionBudget').spec.selector).toEqual(deployment.spec.selector);
  });

  it('run tockd unprivileged, read-only, and give it time to stop gracefully', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext.runAsUser).not.toBe(0);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(5);
  });

  it('build with kubectl kustomize, where kubectl is installed', async (ctx) => {
    const kubectl = findProgram('kubectl');
    if (kubectl === undefined) return ctx.skip('kubectl is not installed');
    const r = await run(kubectl, ['kustomize', new URL('kubernetes', DEPLOY).pathname], {
      timeoutMs: 20_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const built = parseAllDocuments(r.stdout).map((d) => d.toJSON() as K8sObject);
    expect(built.map((o) => o.kind).sort()).toEqual(objects.map((o) => o.kind).sort());
    const image = built.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].image;
    expect(image).toMatch(/^[\w.-]+\/[\w./-]+:[\w.-]+$/);
  });
});

// --- Dockerfile -------------------------------------------------------------------------------------------

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** The instructions of a Dockerfile: comments dropped, continued lines joined. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (current === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    const m = /^\s*(\w+)\s+(.*)$/s.exec(current)!;
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim() });
    current = '';
  }
  return out;
}

describe('the Dockerfile', () => {
  const instructions = parseDockerfile(read('docker/Dockerfile'));
  const stages = instructions.reduce<Instruction[][]>((acc, i) => {
    if (i.keyword === 'FROM') acc.push([]);
    acc.at(-1)?.push(i);
    return acc;
  }, []);
  const final = stages.at(-1)!;
  const all = (keyword: string) => final.filter((i) => i.keyword === keyword).map((i) => i.args);
  const config = JSON.parse(read('docker/tockd.json'));

  it('builds in one stage and runs in a second, small one, as a non-root user', () => {
    expect(stages).toHaveLength(2);
    expect(instructions[0]).toEqual({ keyword: 'ARG', args: 'NODE_IMAGE=node:24-bookworm-slim' });
    expect(final[0]!.args).toMatch(/^\$\{NODE_IMAGE\}$/);
    const users = all('USER');
    expect(users).toHaveLength(1);
    expect(['root', '0']).not.toContain(users[0]);
    // Only the deployed server (pnpm deploy --prod) is copied from the build stage: no sources, no dev tools.
    expect(all('COPY')).toContain('--from=build /out/ /app/');
    expect(stages[0]!.map((i) => i.args).join('\n')).toContain(
      'pnpm --filter @tock/server deploy --prod /out',
    );
  });

  it('runs tockd with its default config, exposing the ports it listens on and probing /healthz', () => {
    expect(all('ENTRYPOINT')).toEqual(['["node", "/app/bin/tockd.js"]']);
    expect(all('COPY')).toContain('deploy/docker/tockd.json /etc/tockd/config.json');
    expect(all('ENV').join(' ')).toContain('TOCK_CONFIG=/etc/tockd/config.json');
    expect(all('EXPOSE')).toEqual([`${config.port}/udp ${config.metrics.port}/tcp`]);
    expect(all('STOPSIGNAL')).toEqual(['SIGTERM']);
    expect(all('HEALTHCHECK')[0]).toContain(`http://127.0.0.1:${config.metrics.port}/healthz`);
  });

  it('gives tockd a configuration it starts with (on free ports): every core, metrics on every address', async () => {
    const listening = await startsWith([], { TOCK_CONFIG: new URL('docker/tockd.json', DEPLOY).pathname });
    expect(listening.workers).toBe(availableParallelism());
    expect(listening.address).toBe('::');
  });

  it('keeps out of the build context nothing the build needs', () => {
    const ignored = read('docker/Dockerfile.dockerignore')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const needed = [
      'packages/server',
      'packages/protocol',
      'tooling',
      'pnpm-lock.yaml',
      'deploy/docker/tockd.json',
    ];
    for (const pattern of ignored)
      for (const path of needed) expect(path.startsWith(pattern), pattern).toBe(false);
  });
});

// --- systemd ----------------------------------------------------------------------------------------------

/** A systemd unit file: section → key → values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let section: Map<string, string[]> | undefined;
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      sections.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    section!.set(key, [...(section!.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

describe('the systemd unit', () => {
  const text = read('systemd/tockd@.service');
  const service = parseUnit(text).get('Service')!;
  const value = (key: string) => service.get(key) ?? [];

  it('may bind ports 123 and 13 with that one capability, as a user of its own', () => {
    expect(value('AmbientCapabilities')).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(value('CapabilityBoundingSet')).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(value('DynamicUser')).toEqual(['yes']);
    expect(value('NoNewPrivileges')).toEqual(['yes']);
    expect(value('ProtectClock')).toEqual(['yes']);
    // V8 needs writable, executable memory for its JIT.
    expect(value('MemoryDenyWriteExecute')).toEqual([]);
  });

  it('stops with SIGTERM and gives tockd time to exit', () => {
    expect(value('KillSignal')).toEqual(['SIGTERM']);
    expect(Number(value('TimeoutStopSec')[0])).toBeGreaterThanOrEqual(3);
    expect(value('Restart')).toEqual(['on-failure']);
  });

  it.each(['123', '13'])(
    'as tockd@%s, sets TOCK_PORT to the instance and gives tockd a configuration it starts with',
    async (instance) => {
      const [command, ...args] = value('ExecStart')[0]!.split(' ');
      expect(command).toBe('/usr/local/bin/tockd');
      const env = Object.fromEntries(
        value('Environment').map((e) => e.replaceAll('%i', instance).split('=') as [string, string]),
      );
      expect(env.TOCK_PORT).toBe(instance);
      const configFile = join(scratch, 'systemd-config.json');
      writeFileSync(configFile, read('systemd/config.json'));
      const listening = await startsWith(
        args.map((a) => (a === '/etc/tockd/config.json' ? configFile : a)),
        { ...env, TOCK_METRICS_PORT: '' },
      );
      expect(listening.address).toBe('::');
    },
  );

  it('passes systemd-analyze verify, where systemd is installed', async (ctx) => {
    const analyze = findProgram('systemd-analyze');
    if (analyze === undefined) return ctx.skip('systemd-analyze is not installed');
    // Point ExecStart at this checkout's tockd, which is what verify checks exists.
    const unit = join(scratch, 'tockd@123.service');
    writeFileSync(unit, text.replace('/usr/local/bin/tockd', `${process.execPath} ${TOCKD}`));
    const r = await run(analyze, ['verify', '--man=no', unit], { timeoutMs: 20_000 });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.code).toBe(0);
  });
});
