import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

/** A small history-API router: the server answers every dashboard path with index.html. */
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function snapshot(): string {
  return window.location.pathname + window.location.search;
}

/** The current path with its query string; re-renders on navigation. */
export function useLocationPath(): string {
  return useSyncExternalStore(subscribe, snapshot);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

/** Only same-site paths: `next=//evil.example` must not leave the dashboard. */
export function safeNextPath(value: string | null): string | null {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : null;
}

interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  to: string;
  children: ReactNode;
  /** Marks the link as the current page when the path starts with this prefix. */
  activePrefix?: string;
}

/** A real link (open in new tab works) that navigates in place on a plain click. */
export function Link({ to, children, activePrefix, onClick, ...rest }: LinkProps) {
  const path = useLocationPath().split('?')[0] ?? '';
  const active = activePrefix ? path.startsWith(activePrefix) : path === to;
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} aria-current={active ? 'page' : undefined} onClick={handleClick} {...rest}>
      {children}
    </a>
  );
}
