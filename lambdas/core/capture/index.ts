/** Packet capture, pure side: the pcap reader and DNS-CAPTURE's hop attribution. */
export { parsePcap, LINK_TYPES } from './parse-pcap.js';
export type { ParsedPcap, ParsePcapOptions } from './parse-pcap.js';
export { correlateCapture, probeDiscoverySchema } from './correlate.js';
export type { ProbeDiscovery } from './correlate.js';
export { nodeAgentsNote, nodeAgentsNoteOf, nodeAgentsObservationSchema } from './node-agents.js';
export type { NodeAgentPod, NodeAgentsObservation } from './node-agents.js';
export { CaptureError } from './errors.js';
