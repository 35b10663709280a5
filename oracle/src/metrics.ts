import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Metrics of one oracle instance, on its own registry (several instances can share a process in tests). */
export function createOracleMetrics() {
  const registry = new Registry();
  return {
    registry,
    messagesReceived: new Counter({ name: 'oracle_mqtt_messages_total', help: 'Report messages received over MQTT', registers: [registry] }),
    messagesRejected: new Counter({ name: 'oracle_messages_rejected_total', help: 'Messages that never became a report, by reason', labelNames: ['reason'], registers: [registry] }),
    reportsStored: new Counter({ name: 'oracle_reports_stored_total', help: 'Reports stored for verification', registers: [registry] }),
    ingestBatchSeconds: new Histogram({ name: 'oracle_ingest_batch_seconds', help: 'Decode + verify + store time per batch', registers: [registry] }),
    beaconResults: new Counter({ name: 'oracle_beacons_processed_total', help: 'Beacons verified, by reason (valid = none)', labelNames: ['reason'], registers: [registry] }),
    witnessResults: new Counter({ name: 'oracle_witnesses_processed_total', help: 'Witnesses verified, by reason (valid = none)', labelNames: ['reason'], registers: [registry] }),
    staleReports: new Counter({ name: 'oracle_stale_reports_total', help: 'Reports marked stale after 45 min unprocessed', registers: [registry] }),
    epochsComputed: new Counter({ name: 'oracle_epochs_computed_total', help: 'Reward epochs computed', registers: [registry] }),
    lastEpoch: new Gauge({ name: 'oracle_last_epoch', help: 'Last computed epoch number', registers: [registry] }),
    epochComputeSeconds: new Histogram({ name: 'oracle_epoch_compute_seconds', help: 'Time to compute due reward epochs (one run)', buckets: [0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120], registers: [registry] }),
    chainWrites: new Counter({ name: 'oracle_chain_submissions_total', help: 'Reward-root submission steps, by outcome (submitted, pending, confirmed, failed, error)', labelNames: ['status'], registers: [registry] }),
    entropyPublished: new Counter({ name: 'oracle_entropy_published_total', help: 'Signed entropy messages published', registers: [registry] }),
  };
}

export type OracleMetrics = ReturnType<typeof createOracleMetrics>;
