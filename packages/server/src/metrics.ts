import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Classification } from '@tock/protocol';
import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Gauge,
  type PrometheusContentType,
  Registry,
} from 'prom-client';
import type { Endpoint } from './io/transport.ts';
import {
  CLASSIFICATIONS,
  DROP_REASONS,
  PROCESSING_BUCKETS_SECONDS,
  PROTOCOLS,
  type ServerStats,
} from './stats.ts';

/** The numbers of the rate limiter shown as gauges. */
export interface RateLimitState {
  /** Sources in the table now. */
  readonly sources: number;
  /** Sources over their limit now. */
  readonly limited: number;
  /** The most sources the table holds. */
  readonly capacity: number;
}

/** What one scrape shows. */
export interface MetricsInput {
  /** The counters of each worker (one entry for a server without worker threads). */
  readonly workers: readonly ServerStats[];
  /** `undefined` when rate limiting is off. */
  readonly rateLimit: RateLimitState | undefined;
  /** The version of `@tock/server`, for `tock_build_info`. */
  readonly version: string;
}

/**
 * The metric names tockd exports, with their help text: the README's table is generated from this list.
 * Every counter is labelled by `protocol` (`text`, `json`, `ntp`, and `unknown` where a datagram may not
 * be any of them).
 */
export const METRICS: ReadonlyArray<{
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly labels: string;
  readonly help: string;
}> = [
  {
    name: 'tock_requests_total',
    type: 'counter',
    labels: 'protocol',
    help: 'Datagrams received, by the protocol they looked like (unknown: neither text, JSON nor NTP, or oversized).',
  },
  {
    name: 'tock_replies_total',
    type: 'counter',
    labels: 'protocol',
    help: 'Replies sent, by protocol (JSON error envelopes included).',
  },
  {
    name: 'tock_json_error_replies_total',
    type: 'counter',
    labels: '',
    help: 'JSON error envelopes sent for malformed or invalid JSON requests.',
  },
  {
    name: 'tock_dropped_total',
    type: 'counter',
    labels: 'protocol, reason',
    help: 'Datagrams that got no reply, by protocol and reason.',
  },
  {
    name: 'tock_kiss_of_death_total',
    type: 'counter',
    labels: '',
    help: "RATE Kiss-o'-Death replies sent to rate-limited NTP clients.",
  },
  {
    name: 'tock_send_errors_total',
    type: 'counter',
    labels: '',
    help: 'Replies the operating system refused to send.',
  },
  {
    name: 'tock_socket_errors_total',
    type: 'counter',
    labels: '',
    help: 'Other errors the sockets reported (the server kept running).',
  },
  {
    name: 'tock_processing_seconds',
    type: 'histogram',
    labels: 'protocol',
    help: 'Time from receiving a request to the transmit timestamp of its reply (T3 - T2), in seconds.',
  },
  {
    name: 'tock_rate_limit_sources',
    type: 'gauge',
    labels: '',
    help: 'Sources tracked in the rate-limit table.',
  },
  {
    name: 'tock_rate_limit_limited_sources',
    type: 'gauge',
    labels: '',
    help: 'Tracked sources over their rate limit now.',
  },
  {
    name: 'tock_rate_limit_table_size',
    type: 'gauge',
    labels: '',
    help: 'The most sources the rate-limit table tracks (--rate-limit-table).',
  },
  { name: 'tock_workers', type: 'gauge', labels: '', help: 'Worker threads answering (1 without threads).' },
  { name: 'tock_build_info', type: 'gauge', labels: 'version', help: 'Always 1; labelled with the version.' },
];

const help = (name: string): string => METRICS.find((m) => m.name === name)!.help;

/** One metric in the JSON form of prom-client's `getMetricsAsJSON()`, which `AggregatorRegistry` adds up. */
interface MetricJson {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  readonly values: ReadonlyArray<{
    readonly value: number;
    readonly labels: Readonly<Record<string, string | number>>;
    readonly metricName?: string;
  }>;
}

const counter = (name: string, values: MetricJson['values']): MetricJson => ({
  name,
  help: help(name),
  type: 'counter',
  aggregator: 'sum',
  values,
});

/** One worker's counters as prom-client metric JSON. */
function workerMetrics(s: ServerStats): MetricJson[] {
  const byClass = (record: Readonly<Record<Classification, number>>) =>
    CLASSIFICATIONS.map((protocol) => ({ value: record[protocol], labels: { protocol } }));
  const histogram = 'tock_processing_seconds';
  return [
    counter('tock_requests_total', byClass(s.received)),
    counter(
      'tock_replies_total',
      PROTOCOLS.map((protocol) => ({ value: s.replies[protocol], labels: { protocol } })),
    ),
    counter('tock_json_error_replies_total', [{ value: s.jsonErrorReplies, labels: {} }]),
    counter(
      'tock_dropped_total',
      CLASSIFICATIONS.flatMap((protocol) =>
        DROP_REASONS.map((reason) => ({
          value: s.droppedByProtocol[protocol][reason],
          labels: { protocol, reason },
        })),
      ),
    ),
    counter('tock_kiss_of_death_total', [{ value: s.kissOfDeath, labels: {} }]),
    counter('tock_send_errors_total', [{ value: s.sendErrors, labels: {} }]),
    counter('tock_socket_errors_total', [{ value: s.socketErrors, labels: {} }]),
    {
      name: histogram,
      help: help(histogram),
      type: 'histogram',
      aggregator: 'sum',
      values: PROTOCOLS.flatMap((protocol) => {
        const h = s.processing[protocol];
        let cumulative = 0;
        const buckets = [...PROCESSING_BUCKETS_SECONDS, '+Inf' as const].map((le, i) => {
          cumulative += h.counts[i]!;
          return { value: cumulative, labels: { le, protocol }, metricName: `${histogram}_bucket` };
        });
        return [
          ...buckets,
          { value: h.sumSeconds, labels: { protocol }, metricName: `${histogram}_sum` },
          { value: h.count, labels: { protocol }, metricName: `${histogram}_count` },
        ];
      }),
    },
  ];
}

/** The Node.js process metrics (CPU, memory, event loop, GC): one registry per process, made on first use. */
let processRegistry: Registry | undefined;

/**
 * Renders the Prometheus text exposition of a server: each worker's counters added up by prom-client's
 * `AggregatorRegistry` (as for a cluster), the gauges of the rate limiter and the workers, and the
 * process metrics of prom-client's `collectDefaultMetrics` (`process_*`, `nodejs_*`).
 */
export async function renderMetrics(input: MetricsInput): Promise<string> {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  const aggregated = AggregatorRegistry.aggregate<PrometheusContentType>(input.workers.map(workerMetrics));
  const gauges = new Registry();
  const gauge = (name: string, value: number, labels: Record<string, string> = {}): void => {
    const labelNames = Object.keys(labels);
    new Gauge({ name, help: help(name), labelNames, registers: [gauges] }).set(labels, value);
  };
  if (input.rateLimit !== undefined) {
    gauge('tock_rate_limit_sources', input.rateLimit.sources);
    gauge('tock_rate_limit_limited_sources', input.rateLimit.limited);
    gauge('tock_rate_limit_table_size', input.rateLimit.capacity);
  }
  gauge('tock_workers', input.workers.length);
  gauge('tock_build_info', 1, { version: input.version });
  return Registry.merge([aggregated, gauges, processRegistry]).metrics();
}

/** The content type of {@link renderMetrics}' output. */
export const METRICS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;

/** The HTTP endpoint of a server: `/metrics` and `/healthz`. */
export interface MetricsServer {
  /** Where it listens. */
  readonly address: Endpoint;
  /** Closes it, and every connection open to it. */
  close(): Promise<void>;
}

/** What {@link startMetricsServer} serves. */
export interface MetricsServerOptions {
  readonly host: string;
  readonly port: number;
  /** The body of `GET /metrics`. */
  readonly render: () => Promise<string>;
  /** Whether the server answers: `GET /healthz` says 200 `ok` when true, 503 `stopping` when false. */
  readonly healthy: () => boolean;
}

/**
 * Starts an HTTP server with `GET /metrics` (Prometheus text format) and `GET /healthz` (for liveness and
 * readiness probes). Anything else is 404, other methods than GET and HEAD 405.
 * Rejects with the OS error (its `code` set) when the port cannot be bound.
 */
export function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createHttpServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
        .end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      const ok = options.healthy();
      response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'stopping\n');
      return;
    }
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
      return;
    }
    options.render().then(
      (body) => response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(body),
      (error: unknown) =>
        response
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      resolve({
        address: { address: a.address, port: a.port, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
