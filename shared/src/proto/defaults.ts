/**
 * Filling a partly built message with the proto defaults, so code that builds
 * messages does not have to spell out every field (and keeps compiling when
 * fields are added). For values built in code: bad input is a programming
 * error and throws.
 */
import { InvalidArgumentError } from '../errors.js';
import { decodeObject } from './json-codec.js';

/** withDefaults returns `partial` as a complete `fullName` message (defaults for what is missing). */
export function withProtoDefaults<T>(fullName: string, partial: object): T {
  const res = decodeObject<T>(fullName, JSON.parse(JSON.stringify(partial)) as unknown);
  if (!res.ok) throw new InvalidArgumentError(res.issues, `invalid ${fullName}`);
  return res.value;
}
