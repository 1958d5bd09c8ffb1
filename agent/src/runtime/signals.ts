/** Signal names and numbers of this host (os.constants.signals). */
import os from 'node:os';

const SIGNALS = os.constants.signals as Record<string, number | undefined>;

/** signalNumber is the number of a signal name (SIGTERM → 15); 0 when unknown. */
export function signalNumber(name: string): number {
  return SIGNALS[name] ?? 0;
}

/** signalName is the name of a signal number (15 → SIGTERM); '' when unknown. Aliases (SIGIOT, SIGPOLL) lose to the usual names. */
export function signalName(n: number): string {
  if (!Number.isInteger(n) || n <= 0) return '';
  const preferred = ['SIGABRT', 'SIGIO', 'SIGCHLD'];
  const names = Object.entries(SIGNALS)
    .filter(([, v]) => v === n)
    .map(([k]) => k);
  return names.find((k) => preferred.includes(k)) ?? names[0] ?? '';
}
