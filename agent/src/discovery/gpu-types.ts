// Domain types for the GPUs discovered on one host (issue 3). These are what the
// fingerprinters produce; they say nothing about how the data were obtained.
// Convention: a field the source did not report (absent, "N/A", "Not Supported",
// or an error marker) is `undefined` — never a guessed default.

/** One MIG (Multi-Instance GPU) device carved out of a physical GPU. */
export interface DiscoveredMigDevice {
  /** MIG device index within its parent GPU, as reported. */
  index?: number;
  /** GPU instance id (GI) the device belongs to. */
  gpuInstanceId?: number;
  /** Compute instance id (CI) within the GPU instance. */
  computeInstanceId?: number;
  /** Profile name (e.g. "1g.10gb") when the schema reports one. */
  profile?: string;
  /** Total framebuffer memory of the MIG device, in bytes. */
  memoryTotalBytes?: number;
  /** MIG device UUID ("MIG-…") when the schema reports one. */
  uuid?: string;
  /** Streaming multiprocessors assigned to the device, when reported. */
  multiprocessorCount?: number;
}

/** A current/pending pair of an on/off mode (`true` = Enabled). */
export interface DiscoveredModePair {
  /** Mode in effect now. */
  current?: boolean;
  /** Mode that takes effect after the next reset/reboot. */
  pending?: boolean;
}

/** ECC error counters, summed over the memory kinds the schema reports. */
export interface DiscoveredEccErrors {
  /** Correctable errors since the last driver load. */
  volatileCorrectable?: number;
  /** Uncorrectable errors since the last driver load. */
  volatileUncorrectable?: number;
  /** Correctable errors over the GPU's lifetime. */
  aggregateCorrectable?: number;
  /** Uncorrectable errors over the GPU's lifetime. */
  aggregateUncorrectable?: number;
}

/** Page retirement state (pre-Ampere data-centre GPUs). */
export interface DiscoveredRetiredPages {
  /** Pages retired for multiple single-bit errors. */
  singleBitCount?: number;
  /** Pages retired for double-bit errors. */
  doubleBitCount?: number;
  /** A retirement is pending (needs a GPU reset to take effect). */
  pending?: boolean;
}

/** Row remapping state (Ampere and later). */
export interface DiscoveredRemappedRows {
  /** Rows remapped for correctable errors. */
  correctable?: number;
  /** Rows remapped for uncorrectable errors. */
  uncorrectable?: number;
  /** A remap is pending (needs a GPU reset). */
  pending?: boolean;
  /** A remap failed: the GPU should be taken out of service. */
  failure?: boolean;
}

/** Health derived from the reported state; unhealthy GPUs are never offered to placement. */
export interface GpuHealth {
  /** False when any reason below applies. */
  healthy: boolean;
  /** Human-readable reasons for being unhealthy (empty when healthy). */
  reasons: string[];
}

/** One physical GPU as discovered on a host. */
export interface DiscoveredGpu {
  /** Position of the GPU in the discovery output (0-based). */
  index: number;
  /** Device minor number (/dev/nvidiaN). */
  minorNumber?: number;
  /** GPU UUID ("GPU-…"). */
  uuid?: string;
  /** Marketing product name, e.g. "NVIDIA A100-SXM4-80GB". */
  productName?: string;
  /** Product brand, e.g. "Tesla", "GeForce". */
  productBrand?: string;
  /** Architecture name, e.g. "Ampere", when reported (drivers ≥ 450). */
  architecture?: string;
  /** Total framebuffer memory, in bytes. */
  memoryTotalBytes?: number;
  /** PCI bus id, e.g. "00000000:01:00.0". */
  pciBusId?: string;
  /** MIG mode (undefined fields when the GPU does not support MIG). */
  migMode: DiscoveredModePair;
  /** MIG devices present (empty when MIG is off or unsupported). */
  migDevices: DiscoveredMigDevice[];
  /** Persistence mode enabled. */
  persistenceMode?: boolean;
  /** Enforced/current power limit, in watts. */
  powerLimitWatts?: number;
  /** ECC mode. */
  eccMode: DiscoveredModePair;
  /** ECC error counters. */
  eccErrors: DiscoveredEccErrors;
  /** Page retirement state. */
  retiredPages: DiscoveredRetiredPages;
  /** Row remapping state. */
  remappedRows: DiscoveredRemappedRows;
  /** Derived health. */
  health: GpuHealth;
}

/** The GPU part of a host's hardware inventory. */
export interface DiscoveredGpuHost {
  /** NVIDIA driver version, e.g. "535.54.03". */
  driverVersion?: string;
  /** Highest CUDA version the driver supports, e.g. "12.2". */
  cudaVersion?: string;
  /** GPU count the tool says is attached (may exceed `gpus.length` in trimmed output). */
  attachedGpus?: number;
  /** The GPUs, in output order. */
  gpus: DiscoveredGpu[];
}
