export {
  FleetApiClient,
  FleetApiError,
  FleetApiResponseError,
  FleetApiStatusError,
  FleetApiUnreachableError,
  FleetApiUrlError,
  parseApiUrl,
  signingRegionOf,
} from './fleet-api-client.js';
export type { FleetApiClientOptions } from './fleet-api-client.js';
export { FleetApiReader } from './fleet-api-reader.js';
export type { ApiPage, ApiPageRequest } from './fleet-api-reader.js';
