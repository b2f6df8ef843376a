import { useEffect, useState } from 'react';

interface CopyButtonProps {
  value: string;
  label?: string;
  /** The element holding the value, selected when the clipboard is not available. */
  targetId?: string;
}

type CopyState = 'idle' | 'copied' | 'manual';

/** Copies to the clipboard; where that is refused, selects the text so Ctrl+C works. */
export function CopyButton({ value, label = 'Copy', targetId }: CopyButtonProps) {
  const [state, setState] = useState<CopyState>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = window.setTimeout(() => setState('idle'), 4000);
    return () => window.clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      const target = targetId ? document.getElementById(targetId) : null;
      if (target) window.getSelection()?.selectAllChildren(target);
      setState('manual');
    }
  };

  return (
    <span className="copy">
      <button type="button" className="button button-secondary" onClick={() => void copy()}>
        {label}
      </button>
      <span className="copy-feedback" role="status">
        {state === 'copied' ? 'Copied' : state === 'manual' ? 'Selected: press Ctrl+C (⌘C) to copy' : ''}
      </span>
    </span>
  );
}
