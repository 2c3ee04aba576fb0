/** Something fetched from the engine, in one of the four states a screen must show. */
export type Loadable<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; value: T }
  | { status: 'failed'; error: string };

export const IDLE = { status: 'idle' } as const;
export const LOADING = { status: 'loading' } as const;

export function ready<T>(value: T): Loadable<T> {
  return { status: 'ready', value };
}

export function failed(error: unknown): { status: 'failed'; error: string } {
  return { status: 'failed', error: error instanceof Error ? error.message : String(error) };
}

export function valueOf<T>(loadable: Loadable<T>): T | null {
  return loadable.status === 'ready' ? loadable.value : null;
}
