/** Barcode scanners in the main process: one Scanner interface over serial and USB HID POS. */
export type {
  HardwareSource,
  RejectReason,
  RejectedEvent,
  ScanEvent,
  Scanner,
  ScannerEvents,
  StateEvent,
} from './types.ts';
export {
  DEFAULT_SERIAL,
  ScannerSpecError,
  formatScannerSpec,
  parseScannerSpec,
  withSerialOverrides,
  type HidSpec,
  type ScannerSpec,
  type SerialLineSettings,
  type SerialSpec,
} from './spec.ts';
export { checkRead, printable, DEFAULT_MAX_LENGTH } from './frame.ts';
export { createDedupe, DEFAULT_DEDUPE_WINDOW_MS, type Dedupe } from './dedupe.ts';
export { SerialScanner, type SerialScannerOptions, type SerialPortLike } from './serialSource.ts';
export {
  HidScanner,
  nodeHidBackend,
  type HidBackend,
  type HidDeviceHandle,
  type HidDeviceInfo,
  type HidScannerOptions,
} from './hidSource.ts';
export {
  HID_POS_USAGE_PAGE,
  HidPosAssembler,
  parseHidPosReport,
  type HidPosReport,
} from './hidReport.ts';
export {
  DeviceWatcher,
  describeDevice,
  listScannerDevices,
  type DeviceEntry,
  type DeviceList,
} from './discovery.ts';
export {
  ScannerManager,
  createScanner,
  type CreateScannerOptions,
  type ScannerManagerOptions,
  type ScannerManagerState,
} from './manager.ts';
