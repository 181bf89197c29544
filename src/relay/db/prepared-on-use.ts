/**
 * Statements prepared the first time they run, then kept: an idle relay never pays for the
 * ones it does not use (each prepared query costs drizzle's builder and sqlite's program, about
 * 50 KiB), and a busy one prepares each once, as before.
 */
export function preparedOnUse<T extends Record<string, () => unknown>>(make: T): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const made = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const key of Object.keys(make) as (keyof T & string)[]) {
    Object.defineProperty(made, key, {
      configurable: true,
      enumerable: true,
      get() {
        const value = make[key]!() as ReturnType<T[typeof key]>;
        Object.defineProperty(made, key, { value, enumerable: true });
        return value;
      },
    });
  }
  return made;
}
