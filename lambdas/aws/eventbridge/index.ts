/**
 * Regression events out of the results store: to an EventBridge bus (deployed) or as log lines
 * (local runs). Both are `RegressionPublisher`s the store is opened with.
 */
export {
  EVENT_SOURCE,
  EventPublishError,
  eventBridgePublisher,
  logLinePublisher,
} from './regression-publisher.js';
export type { BusEvent, BusEventPublisher, EventBridgePublisherOptions } from './regression-publisher.js';
