import { useEffect, useRef, type RefObject } from 'react';

/**
 * For a <dialog> shown while its component is mounted: opens it as a modal (the browser traps
 * focus and handles Escape), runs `onOpen` (to place focus), and on unmount closes it and gives
 * focus back to where it was.
 */
export function useModal(onOpen?: () => void): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: opens once, when the dialog mounts.
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const element = dialog.current;
    element?.showModal();
    onOpen?.();
    return () => {
      if (element?.open) element.close();
      if (opener?.isConnected) opener.focus();
    };
    // Opened once per mount: a new onOpen on a later render must not reopen it.
  }, []);
  return dialog;
}
