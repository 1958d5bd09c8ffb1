/** VERSION is Muster's version, reported by every binary and by agents on Register. */
export const VERSION = '0.1.0';
