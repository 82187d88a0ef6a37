// Masking: values under secret keys are replaced on the page, before a record leaves it, so that
// neither the worker, IndexedDB nor the network ever holds them.

/** Which keys to mask, and with what. */
export interface RedactSpec { keys: (string | RegExp)[]; replacement: string }

/** Masks values under secret keys. */
export interface Masker {
  /** Whether a key's value is masked (each key is judged once). */
  isSecret(key: string): boolean;
  /** The value with what is under secret keys replaced; the value itself when nothing matched. */
  mask(value: unknown): unknown;
  readonly replacement: string;
}

/**
 * A masker for plain objects and arrays (anything else is left as it is). A value is copied only
 * along the path to what it masks.
 * @example masker({ keys: [/password/i], replacement: '[REDACTED]' }).mask({ password: 'x' })
 */
export function masker(spec: RedactSpec): Masker {
  const verdicts = new Map<string, boolean>();
  const lowered = spec.keys.map((p) => (typeof p === 'string' ? p.toLowerCase() : p));
  const isSecret = (key: string): boolean => {
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = lowered.some((p) => (typeof p === 'string' ? p === key.toLowerCase() : ((p.lastIndex = 0), p.test(key))));
      // keys are usually few; a flood of distinct ones is judged each time rather than remembered
      if (verdicts.size < 1000) verdicts.set(key, verdict);
    }
    return verdict;
  };
  const ancestors: object[] = [];
  const mask = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || ancestors.length > 16 || ancestors.includes(value)) return value;
    const proto = Object.getPrototypeOf(value);
    const isArray = proto === Array.prototype;
    if (!isArray && proto !== Object.prototype && proto !== null) return value;
    ancestors.push(value);
    try {
      let out: Record<string, unknown> | unknown[] | null = null;
      const source = value as Record<string, unknown>;
      for (const key of Object.keys(source)) {
        const before = source[key];
        const after = !isArray && isSecret(key) ? spec.replacement : mask(before);
        if (after === before) continue;
        out ??= isArray ? (source as unknown as unknown[]).slice() : { ...source };
        (out as Record<string, unknown>)[key] = after;
      }
      return out ?? value;
    } finally {
      ancestors.pop();
    }
  };
  return { isSecret, mask, replacement: spec.replacement };
}

const DEFAULT_REDACT: RegExp = /authorization|cookie|passw(or)?d|secret|token|api[-_]?key|session[-_]?key|credential/i;

/** The masker for startBrowserLogging's `redact` option: the default keys, others, or none (`false`). */
export function maskerFor(option: false | { keys?: (string | RegExp)[]; replacement?: string } | undefined): Masker | null {
  if (option === false) return null;
  return masker({ keys: option?.keys ?? [DEFAULT_REDACT], replacement: option?.replacement ?? '[REDACTED]' });
}
