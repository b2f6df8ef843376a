interface PagerProps {
  label: string;
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  summary: string;
  onPage(page: number): void;
}

/** Previous / next buttons for a list that comes in pages. */
export function Pager({ label, page, hasPrevious, hasNext, summary, onPage }: PagerProps) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button
        type="button"
        className="button button-secondary"
        disabled={!hasPrevious}
        onClick={() => onPage(page - 1)}
      >
        Previous
      </button>
      <span className="muted pager-summary">{summary}</span>
      <button type="button" className="button button-secondary" disabled={!hasNext} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}
