/**
 * The driver an agent with a container engine uses: pods with an image go to
 * the OCI driver, the rest run as processes. Stop, list and recover cover
 * both.
 */
import { podKeyString, type PodExit, type PodKey, type PodSpec, type PodStart, type RecoveredPod, type RecoverOptions, type RunningPod, type RuntimeDriver } from './driver.js';

/** RoutingDriver sends each pod to the driver made for it. */
export class RoutingDriver implements RuntimeDriver {
  readonly name = 'router';

  constructor(
    private readonly processes: RuntimeDriver,
    private readonly containers: RuntimeDriver,
  ) {}

  /** containerized: a pod with an image runs in a container. */
  containerized(image: string): boolean {
    return this.containers.containerized(image);
  }

  /** start runs an image pod as a container, any other as a process. */
  start(spec: PodSpec): Promise<PodStart> {
    return this.containers.containerized(spec.image) ? this.containers.start(spec) : this.processes.start(spec);
  }

  /** stop stops the pod with whichever driver runs it. */
  async stop(key: PodKey, gracePeriodMs: number, why: string): Promise<PodExit | undefined> {
    const k = podKeyString(key);
    const driver = this.containers.list().some((p) => podKeyString(p) === k) ? this.containers : this.processes;
    return driver.stop(key, gracePeriodMs, why);
  }

  /** list returns the pods of both drivers. */
  list(): RunningPod[] {
    return [...this.processes.list(), ...this.containers.list()];
  }

  /** recover recovers both drivers' pods. */
  async recover(opts: RecoverOptions): Promise<RecoveredPod[]> {
    const [p, c] = await Promise.all([this.processes.recover(opts), this.containers.recover(opts)]);
    return [...p, ...c];
  }

  /** close closes both drivers. */
  close(): void {
    this.processes.close?.();
    this.containers.close?.();
  }
}
