/** CoreDNS metrics scraping for DNS-UPSTREAM-METRICS (the evaluation is in lambdas/core/metrics). */
export { scrapeMetrics, collectCorednsMetrics } from './scrape-metrics.js';
export type { ScrapeOutcome, ScrapeOptions, MetricsTarget, CollectMetricsOptions } from './scrape-metrics.js';
