import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';

import { errorMessage } from '@/lib/error-message';

import { searchItems } from '@/features/trace/api/search-items';
import { FinderPanel } from '@/features/trace/components/finder-panel';
import { FsmaExport } from '@/features/trace/components/fsma-export';
import { ItemTable } from '@/features/trace/components/item-table';
import { SearchBox } from '@/features/trace/components/search-box';
import { useQuery } from '@/features/trace/hooks/use-query';

/** `/trace`: the search box (one match opens it), its results, and the finder by dimension. */
export function SearchScreen() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const search = useQuery(q ? `search:${q}` : null, (signal) => searchItems(q, signal));

  const only = search.data?.length === 1 ? search.data[0] : undefined;
  useEffect(() => {
    if (only) void navigate(`/trace/items/${only.id}`, { replace: true });
  }, [only, navigate]);

  return (
    <div className="page">
      <div>
        <h1>{t('trace.title')}</h1>
        <p className="lead">{t('trace.lead')}</p>
      </div>
      <SearchBox
        key={q}
        initial={q}
        busy={search.loading}
        onSearch={(text) => (text === q ? search.reload() : setParams({ q: text }))}
      />
      {search.loading && <p aria-busy="true">{t('trace.search.searching')}</p>}
      {search.error !== undefined && (
        <p className="alert alert--danger" role="alert">
          {errorMessage(search.error, t)}
        </p>
      )}
      {search.data && search.data.length === 0 && (
        <p className="alert alert--warning" role="status" data-testid="trace-no-results">
          {t('trace.search.noResults', { q })}
        </p>
      )}
      {search.data && search.data.length > 1 && (
        <section className="page">
          <h2>{t('trace.search.results', { count: search.data.length, q })}</h2>
          <ItemTable items={search.data} testId="trace-search-results" />
        </section>
      )}
      <FinderPanel />
      <FsmaExport />
    </div>
  );
}
