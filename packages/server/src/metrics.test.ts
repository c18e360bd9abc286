import { describe, expect, it } from 'vitest';
import { METRICS, renderMetrics, startMetricsServer } from './metrics.ts';
import { createStatsRecorder } from './stats.ts';

describe('renderMetrics', () => {
  it("adds up the workers' counters with prom-client's aggregator, histogram buckets included", async () => {
    const a = createStatsRecorder();
    const b = createStatsRecorder();
    a.reply('ntp', false, 3_000);
    b.reply('ntp', false, 40_000);
    b.reply('json', true, 9_000);
    b.drop('text', 'rate-limited');
    b.kissOfDeath();
    const text = await renderMetrics({
      workers: [a.snapshot(), b.snapshot()],
      rateLimit: { sources: 3, limited: 1, capacity: 1024 },
      version: '1.2.3',
    });
    const lines = text.split('\n');
    for (const line of [
      'tock_requests_total{protocol="ntp"} 2',
      'tock_requests_total{protocol="text"} 1',
      'tock_replies_total{protocol="json"} 1',
      'tock_json_error_replies_total 1',
      'tock_dropped_total{protocol="text",reason="rate-limited"} 1',
      'tock_kiss_of_death_total 1',
      'tock_processing_seconds_bucket{le="0.000005",protocol="ntp"} 1',
      'tock_processing_seconds_bucket{le="0.00005",protocol="ntp"} 2',
      'tock_processing_seconds_bucket{le="+Inf",protocol="ntp"} 2',
      'tock_processing_seconds_count{protocol="ntp"} 2',
      'tock_processing_seconds_sum{protocol="ntp"} 0.000043',
      'tock_rate_limit_sources 3',
      'tock_rate_limit_limited_sources 1',
      'tock_rate_limit_table_size 1024',
      'tock_workers 2',
      'tock_build_info{version="1.2.3"} 1',
    ])
      expect(lines, line).toContain(line);
    // Every metric of the documented list is there, with its HELP and TYPE.
    for (const m of METRICS) expect(text).toContain(`# TYPE ${m.name} ${m.type}`);
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
  });

  it('leaves out the rate-limit gauges when rate limiting is off', async () => {
    const text = await renderMetrics({
      workers: [createStatsRecorder().snapshot()],
      rateLimit: undefined,
      version: '1',
    });
    expect(text).not.toContain('tock_rate_limit_sources');
  });
});

describe('startMetricsServer', () => {
  it('serves /metrics and /healthz, 503 once unhealthy, 404 and 405 otherwise', async () => {
    let healthy = true;
    const server = await startMetricsServer({
      host: '127.0.0.1',
      port: 0,
      render: async () => 'tock_workers 1\n',
      healthy: () => healthy,
    });
    const url = (path: string) => `http://127.0.0.1:${server.address.port}${path}`;
    try {
      const metrics = await fetch(url('/metrics'));
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await metrics.text()).toBe('tock_workers 1\n');
      expect((await fetch(url('/healthz'))).status).toBe(200);
      healthy = false;
      const stopping = await fetch(url('/healthz?probe=1'));
      expect([stopping.status, await stopping.text()]).toEqual([503, 'stopping\n']);
      expect((await fetch(url('/'))).status).toBe(404);
      expect((await fetch(url('/metrics'), { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
    await expect(fetch(url('/healthz'))).rejects.toThrow();
  });

  it('rejects with the OS error when the port is taken', async () => {
    const first = await startMetricsServer({
      host: '127.0.0.1',
      port: 0,
      render: async () => '',
      healthy: () => true,
    });
    try {
      await expect(
        startMetricsServer({
          host: '127.0.0.1',
          port: first.address.port,
          render: async () => '',
          healthy: () => true,
        }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });
});
