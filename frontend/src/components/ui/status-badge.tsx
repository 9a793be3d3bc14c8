import type { ReactNode } from 'react';

import styles from '@/components/ui/status-badge.module.css';

export type StatusTone = 'ok' | 'warning' | 'danger' | 'neutral';

type StatusBadgeProps = {
  tone: StatusTone;
  children: ReactNode;
  'data-testid'?: string;
};

/**
 * A state in words, with a colour and a symbol (drawn by CSS, so it is neither read out nor part of
 * the text) so that it never depends on colour vision alone.
 */
export function StatusBadge({ tone, children, 'data-testid': testId }: StatusBadgeProps) {
  return (
    <span className={`${styles.badge} ${styles[tone]}`} data-tone={tone} data-testid={testId}>
      {children}
    </span>
  );
}
