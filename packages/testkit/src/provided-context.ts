// Values the global setup hands to test files through vitest's provide/inject.
declare module 'vitest' {
  export interface ProvidedContext {
    /** Name of the migrated template database test files clone. */
    templateDatabase: string;
  }
}
export {};
