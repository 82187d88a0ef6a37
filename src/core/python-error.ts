/**
 * An error named after the Python exception that the same mistake raises (`ValueError`, `KeyError`),
 * so that `--- Logging error ---` reports read as Python's do.
 */
export class PythonError extends Error {
  constructor(name: 'ValueError' | 'KeyError' | 'TypeError' | 'OverflowError' | 'IndexError' | 'AttributeError', message: string) {
    super(message);
    this.name = name;
  }
}
