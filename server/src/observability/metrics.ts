/**
 * The server's Prometheus metrics (prom-client), one registry per server instance (tests run
 * several in one process). Request, transfer, engine and job-failure series are counted as things
 * happen; node, storage, queue and connection series are read when `/metrics` is scraped.
 * Every label is bounded: route patterns (never raw paths), methods, status codes, node ids,
 * job kinds, engine stages.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineEvents } from '@coffer/storage-engine';
import type { Db } from '../db/open.js';
import type { NodeHealth } from '../health/monitor.js';
import { readStoreStats, type StoreStats } from './store-stats.js';

/** What the scrape-time series read; given once the server has them (`Metrics.watch`). */
export interface MetricSources {
  db: Db;
  dbKind: 'postgres' | 'pglite';
  /** Connections this process holds open (sync/hub.ts). */
  connections: () => { longPolls: number; websockets: number };
  nodes: () => Promise<NodeHealth[]>;
  /** The write quorum now (storage-engine `writeQuorum`). */
  quorum: () => { k: number; m: number; shards: number };
}

export interface RequestObservation {
  method: string;
  route: string;
  status: number;
  seconds: number;
  bytesIn: number;
  bytesOut: number;
}

/** Scrapes read the database at most once a second (concurrent scrapes share one read). */
const STATS_TTL_MS = 1_000;
const DB_POOL_MAX = { postgres: 10, pglite: 1 } as const;

export class Metrics {
  readonly registry = new Registry();
  private sources: MetricSources | undefined;
  private stats: { at: number; value: Promise<StoreStats | undefined> } | undefined;

  private readonly requests = new Counter({ name: 'coffer_http_requests_total', help: 'HTTP requests answered, by route pattern, method and status', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
  private readonly duration = new Histogram({
    name: 'coffer_http_request_duration_seconds',
    help: 'Time from a request to its last byte sent, by route pattern and method',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
    registers: [this.registry],
  });
  private readonly bytesIn = new Counter({ name: 'coffer_http_request_bytes_total', help: 'Request body bytes received, by route pattern', labelNames: ['method', 'route'], registers: [this.registry] });
  private readonly bytesOut = new Counter({ name: 'coffer_http_response_bytes_total', help: 'Response bytes sent, by route pattern', labelNames: ['method', 'route'], registers: [this.registry] });
  private readonly transfers = new Counter({ name: 'coffer_transfers_total', help: 'Successful uploads and downloads, by direction and way in (api, sync, webdav, link)', labelNames: ['direction', 'via'], registers: [this.registry] });
  private readonly transferBytes = new Counter({ name: 'coffer_transfer_bytes_total', help: 'Bytes of successful uploads (received) and downloads (sent), by direction and way in', labelNames: ['direction', 'via'], registers: [this.registry] });
  private readonly authFailures = new Counter({ name: 'coffer_auth_failures_total', help: 'Failed sign-ins and refused credentials, by method', labelNames: ['method'], registers: [this.registry] });
  private readonly stages = new Histogram({
    name: 'coffer_engine_stage_seconds',
    help: 'Storage engine time per block (or chunker pass), by stage',
    labelNames: ['stage'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  private readonly puts = new Counter({ name: 'coffer_engine_block_puts_total', help: 'Block puts, by result: stored, or deduplicated (already in the namespace)', labelNames: ['result'], registers: [this.registry] });
  private readonly putBytes = new Counter({
    name: 'coffer_engine_put_bytes_total',
    help: 'Bytes through block puts since start: logical (every put), unique (stored anew), compressed (their frames), erasure_coded (their shards)',
    labelNames: ['stage'],
    registers: [this.registry],
  });
  private readonly jobFailures = new Counter({ name: 'coffer_job_failures_total', help: 'Failed job attempts, by kind', labelNames: ['kind'], registers: [this.registry] });

  constructor() {
    // Process memory, CPU, event-loop lag, GC, handles: prom-client's standard series.
    collectDefaultMetrics({ register: this.registry });
    this.scrapeTimeSeries();
  }

  /** Hooks for the storage engine (BlockStoreOptions.events). */
  readonly engineEvents: EngineEvents = {
    stage: (stage, ns) => this.stages.observe({ stage }, ns / 1e9),
    put: (p) => {
      this.puts.inc({ result: p.stored ? 'stored' : 'deduplicated' });
      this.putBytes.inc({ stage: 'logical' }, p.size);
      if (!p.stored) return;
      this.putBytes.inc({ stage: 'unique' }, p.size);
      this.putBytes.inc({ stage: 'compressed' }, p.frameSize);
      this.putBytes.inc({ stage: 'erasure_coded' }, p.shardBytes);
    },
  };

  watch(sources: MetricSources): void {
    this.sources = sources;
  }

  request(o: RequestObservation): void {
    const { method, route } = o;
    this.requests.inc({ method, route, status: String(o.status) });
    this.duration.observe({ method, route }, o.seconds);
    if (o.bytesIn > 0) this.bytesIn.inc({ method, route }, o.bytesIn);
    if (o.bytesOut > 0) this.bytesOut.inc({ method, route }, o.bytesOut);
  }

  transfer(direction: 'upload' | 'download', via: string, bytes: number): void {
    this.transfers.inc({ direction, via });
    if (bytes > 0) this.transferBytes.inc({ direction, via }, bytes);
  }

  authFailure(method: string): void {
    this.authFailures.inc({ method });
  }

  jobFailed(kind: string): void {
    this.jobFailures.inc({ kind });
  }

  /** The text Prometheus scrapes. */
  async text(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  private storeStats(): Promise<StoreStats | undefined> {
    const s = this.sources;
    if (!s) return Promise.resolve(undefined);
    if (!this.stats || Date.now() - this.stats.at > STATS_TTL_MS) {
      // An unreachable database leaves these series out of the scrape; /readyz says why.
      this.stats = { at: Date.now(), value: readStoreStats(s.db, s.dbKind).catch(() => undefined) };
    }
    return this.stats.value;
  }

  /** Gauges whose values are read at scrape time. */
  private scrapeTimeSeries(): void {
    const registers = [this.registry];
    const self = this;
    const fromStats = (name: string, help: string, labelNames: string[], fill: (g: Gauge, s: StoreStats) => void) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          this.reset();
          const s = await self.storeStats();
          if (s) fill(this, s);
        },
      });

    fromStats('coffer_storage_bytes', 'Bytes stored, at each stage of the write path: logical (as files reference them), unique (after dedup), compressed (after compression and encryption), erasure_coded (on the nodes)', ['stage'], (g, s) => {
      g.set({ stage: 'logical' }, s.logicalBytes);
      g.set({ stage: 'unique' }, s.uniqueBytes);
      g.set({ stage: 'compressed' }, s.compressedBytes);
      g.set({ stage: 'erasure_coded' }, s.erasureCodedBytes);
    });
    fromStats('coffer_storage_blocks', 'Distinct blocks stored', [], (g, s) => g.set(s.blocks));
    fromStats('coffer_dedup_ratio', 'Logical bytes per unique byte stored (1 = no dedup savings)', [], (g, s) => g.set(s.uniqueBytes > 0 ? s.logicalBytes / s.uniqueBytes : 1));
    fromStats('coffer_compression_ratio', 'Unique plaintext bytes per compressed frame byte (1 = no savings)', [], (g, s) => g.set(s.compressedBytes > 0 ? s.uniqueBytes / s.compressedBytes : 1));
    fromStats('coffer_degraded_blocks', 'Blocks lacking full redundancy, waiting for repair', [], (g, s) => g.set(s.degradedBlocks));
    fromStats('coffer_jobs', 'Background jobs in the queue table, by kind and state', ['kind', 'state'], (g, s) => {
      for (const j of s.jobs) g.set({ kind: j.kind, state: j.state }, j.count);
    });
    fromStats('coffer_repair_blocks', 'The running (else latest) repair job: blocks repaired and still pending', ['state'], (g, s) => {
      const r = s.latest.find((l) => l.kind === 'repair');
      if (!r) return;
      g.set({ state: 'repaired' }, Number(r.progress.repaired ?? 0));
      g.set({ state: 'pending' }, Number(r.progress.pending ?? 0));
    });
    fromStats('coffer_scrub_blocks', 'The running (else latest) scrub: blocks scanned of total, damaged found', ['state'], (g, s) => {
      const r = s.latest.find((l) => l.kind === 'scrub');
      if (!r) return;
      for (const k of ['scanned', 'total', 'damaged'] as const) g.set({ state: k }, Number(r.progress[k] ?? 0));
    });
    fromStats('coffer_scrub_last_finished_timestamp_seconds', 'When the latest scrub finished (Unix seconds)', [], (g, s) => {
      const r = s.latest.find((l) => l.kind === 'scrub' && l.finishedAt);
      if (r?.finishedAt) g.set(r.finishedAt.getTime() / 1000);
    });
    fromStats('coffer_db_connections', 'PostgreSQL connections to this database, by state (all instances; absent on PGlite)', ['state'], (g, s) => {
      for (const c of s.connections ?? []) g.set({ state: c.state }, c.count);
    });
    new Gauge({
      name: 'coffer_db_pool_max',
      help: 'Connections this process may open to the metadata database (PGlite: one, in-process)',
      labelNames: ['driver'],
      registers,
      collect() {
        this.reset();
        if (self.sources) this.set({ driver: self.sources.dbKind }, DB_POOL_MAX[self.sources.dbKind]);
      },
    });
    new Gauge({
      name: 'coffer_open_connections',
      help: 'Long polls and websockets this process holds open',
      labelNames: ['kind'],
      registers,
      collect() {
        const c = self.sources?.connections();
        this.set({ kind: 'longpoll' }, c?.longPolls ?? 0);
        this.set({ kind: 'websocket' }, c?.websockets ?? 0);
      },
    });
    new Gauge({
      name: 'coffer_write_quorum_nodes',
      help: 'Hot nodes a write needs reachable (k + 1 of the k+m code chosen now); /readyz compares it with the nodes up',
      registers,
      collect() {
        const q = self.sources?.quorum();
        if (q) this.set(q.shards);
      },
    });
    const nodeGauge = (name: string, help: string, value: (n: NodeHealth) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['node', 'tier'],
        registers,
        async collect() {
          this.reset();
          const nodes = await self.sources?.nodes().catch(() => []);
          for (const n of nodes ?? []) {
            const v = value(n);
            if (v !== null) this.set({ node: n.id, tier: n.tier }, v);
          }
        },
      });
    nodeGauge('coffer_node_up', 'Whether the node answered its last health probe (1) or not (0)', (n) => (n.state === 'down' ? 0 : 1));
    nodeGauge('coffer_node_draining', 'Whether the node is being drained (1)', (n) => (n.state === 'draining' ? 1 : 0));
    nodeGauge('coffer_node_probe_latency_seconds', 'How long the node took to answer its last successful probe', (n) => (n.latencyMs === null ? null : n.latencyMs / 1000));
    nodeGauge('coffer_node_capacity_bytes', 'The node’s capacity, where its driver can tell (local directories)', (n) => n.capacityBytes);
    nodeGauge('coffer_node_used_bytes', 'Bytes used on the node’s file system, where its driver can tell', (n) => n.usedBytes);
  }
}
