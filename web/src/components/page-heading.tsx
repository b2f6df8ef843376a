import { useEffect, useRef, type ReactNode } from 'react';

interface PageHeadingProps {
  title: string;
  children?: ReactNode;
}

/**
 * The page's h1. It takes focus when the page appears, so after a navigation keyboard and
 * screen-reader users start at the new page's title rather than at the link they used.
 */
export function PageHeading({ title, children }: PageHeadingProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Latchkey`;
    heading.current?.focus();
  }, [title]);
  return (
    <header className="page-heading">
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children ? <p className="lead">{children}</p> : null}
    </header>
  );
}
