/**
 * The Lambda entry points: thin middy handlers that parse their payload and configuration at
 * the edge and wire lambdas/aws and lambdas/kube to the core. Each function's `handler` is the
 * export of its own module (`dispatch-runner.handler`, `runner-status.handler`,
 * `collect-runner.handler`, the member stack's `member-dispatcher.handler`; the fleet scan's `discover.handler`, `collect-region.handler`,
 * `store-result.handler`, `summarize.handler`).
 */
export { createCollectRunnerHandler, collectRunnerEventSchema } from './collect-runner.js';
export type { CollectRunnerDeps, CollectRunnerEvent, CollectRunnerOutput } from './collect-runner.js';
export { createDispatchRunnerHandler, dispatchRunnerEventSchema } from './dispatch-runner.js';
export type {
  DispatchRunnerDeps,
  DispatchRunnerEvent,
  DispatchRunnerOutput,
  HmacKeyRef,
} from './dispatch-runner.js';
export {
  createMemberDispatcherHandler,
  eksClusterDescriber,
  memberDispatcherEventSchema,
} from './member-dispatcher.js';
export type {
  ClusterDescriber,
  MemberDispatcherDeps,
  MemberDispatcherEvent,
  MemberDispatcherOperation,
  MemberDispatcherOutput,
} from './member-dispatcher.js';
export { createRunnerStatusHandler, runnerStatusEventSchema } from './runner-status.js';
export type { RunnerStatusDeps, RunnerStatusEvent, RunnerStatusOutput } from './runner-status.js';
export { createDiscoverHandler, discoverEventSchema } from './discover.js';
export type { DiscoverDeps, DiscoverEvent, DiscoverOutput } from './discover.js';
export { collectRegionEventSchema, createCollectRegionHandler } from './collect-region.js';
export type { CollectRegionDeps, CollectRegionEvent, CollectRegionOutput } from './collect-region.js';
export { createStoreResultHandler, runnerErrorReason, storeResultEventSchema } from './store-result.js';
export type { StoreResultDeps, StoreResultEvent, StoreResultOutput } from './store-result.js';
export { createSummarizeHandler, summarizeEventSchema } from './summarize.js';
export type { SummarizeDeps, SummarizeEvent, SummarizeOutput } from './summarize.js';
export {
  clusterToScanSchema,
  discoveryGapsKey,
  s3LocationSchema,
  stagedAwsResultKey,
  stagedAwsResultSchema,
  stepErrorText,
  workItemSchema,
  workItemsKey,
} from './pipeline-payload.js';
export type { ClusterToScan, S3Location, StagedAwsResult, WorkItem } from './pipeline-payload.js';
export { parsePipelineConfig, parseScanScopeConfig } from './pipeline-config.js';
export type { PipelineConfig, ScanScopeConfig } from './pipeline-config.js';
export { parseRunnerHandlerConfig } from './config.js';
export type { RunnerHandlerConfig } from './config.js';
export { connectToCluster, eksTokenProvider } from './cluster-connection.js';
export type { ClusterConnectionDeps, ClusterTokenProvider, TokenTarget } from './cluster-connection.js';
export { createPowertools, METRICS_NAMESPACE, parseScanEvent, withRunnerMiddleware } from './middleware.js';
export type { Context, Powertools, RunnerLambda, ScanIdentity } from './middleware.js';
export { HandlerConfigError, HandlerError, HandlerInputError } from './errors.js';
export { ApiError, COMPLIANCE_FORMATS, createApiHandler } from './api.js';
export type {
  ApiDeps,
  ApiGatewayProxyEvent,
  ApiGatewayProxyResult,
  ApiLambda,
  ScanStarter,
  ScanStartRequest,
  StartedScan,
} from './api.js';
