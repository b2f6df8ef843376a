import type { ReactNode } from 'react';
import type { Loaded } from '../lib/use-load.js';
import { Alert } from './alert.js';

interface LoadStateProps<T> {
  state: Loaded<T>;
  label: string;
  onRetry(): void;
  children(data: T): ReactNode;
}

/** Loading text, an error with a retry button, or the loaded content. */
export function LoadState<T>({ state, label, onRetry, children }: LoadStateProps<T>) {
  if (state.status === 'loading') {
    return (
      <p className="muted" role="status">
        Loading {label}…
      </p>
    );
  }
  if (state.status === 'error') {
    return (
      <Alert>
        <p>
          Could not load {label}: {state.message}
        </p>
        <button type="button" className="button button-secondary" onClick={onRetry}>
          Try again
        </button>
      </Alert>
    );
  }
  return <>{children(state.data)}</>;
}
