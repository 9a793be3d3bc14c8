import './station-page.css';

import type { ErrorSchema } from '@rjsf/utils';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { StatusBadge } from '@/components/ui/status-badge';
import { useSession } from '@/hooks/use-session';
import { ApiError, type ApiFieldError } from '@/lib/api-client';
import { errorMessage } from '@/lib/error-message';
import { currentLanguage } from '@/lib/i18n';

import { findInstances } from '@/features/station/api/find-instances';
import { getFormVersion } from '@/features/station/api/get-form-version';
import { getInstance } from '@/features/station/api/get-instance';
import { postRecord } from '@/features/station/api/post-record';
import { CaptureForm } from '@/features/station/components/capture-form';
import { LabelCard } from '@/features/station/components/label-card';
import { QueuePanel } from '@/features/station/components/queue-panel';
import { SignatureFields } from '@/features/station/components/signature-fields';
import { StationPicker } from '@/features/station/components/station-picker';
import { ScanWidget } from '@/features/station/components/widgets';
import { useOfflineQueue } from '@/features/station/hooks/use-offline-queue';
import { type StationNode, useStationNodes } from '@/features/station/hooks/use-station-nodes';
import { playCue } from '@/features/station/lib/cue';
import {
  localize,
  localTimestamp,
  newIdempotencyKey,
  toErrorSchema,
} from '@/features/station/lib/form-logic';
import type { RejectedEntry, SyncSummary } from '@/features/station/lib/offline-queue';
import { isTransient } from '@/features/station/lib/send-record';
import type {
  CaptureBody,
  CaptureResult,
  FormVersion,
  SignatureInput,
} from '@/features/station/types/station';

const STATION_KEY = 'lotline.station.code';
const NODE_KEY = 'lotline.station.node';

type Outcome =
  | { kind: 'accepted'; result: CaptureResult }
  | { kind: 'queued' }
  | { kind: 'refused'; message: string; other: ApiFieldError[] };

function nodeId(choice: StationNode): string {
  return `${choice.flow.key}/${choice.node.id}`;
}

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // the choice holds for this page only
  }
}

/**
 * The station app: the tablet screen where a line worker scans the subject, fills the node's
 * form (mostly by scanning) and submits; offline submissions wait in the browser.
 */
export function StationPage() {
  const { t } = useTranslation();
  const me = useSession();
  const language = currentLanguage();
  const [chosenStation, setChosenStation] = useState<string | null>(() => stored(STATION_KEY));
  const station = me?.station ?? chosenStation;
  const { nodes, error: nodesError } = useStationNodes(station);
  const [selected, setSelected] = useState<string | null>(() => stored(NODE_KEY));
  const [loaded, setLoaded] = useState<{ id: string; form?: FormVersion; error?: unknown } | null>(null);
  const [subject, setSubject] = useState('');
  const [hint, setHint] = useState<string | null>(null);
  const [signatures, setSignatures] = useState<SignatureInput[]>([]);
  const [errors, setErrors] = useState<ErrorSchema | undefined>();
  const [signatureErrors, setSignatureErrors] = useState<Record<number, string[]>>({});
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [formKey, setFormKey] = useState(0);
  /** A refused record being corrected: it leaves the refused list only once the fix is accepted. */
  const [fixing, setFixing] = useState<RejectedEntry | undefined>();
  const subjectRef = useRef<HTMLDivElement>(null);
  const lookups = useRef(0);
  const operator = useMemo(
    () => (me ? { id: me.id, name: me.full_name || me.username } : null),
    [me],
  );
  const queue = useOfflineQueue(
    operator,
    useCallback((summary: SyncSummary) => {
      // The "kept on this tablet" notice is history once the queue has been sent.
      setOutcome((previous) => (previous?.kind === 'queued' ? null : previous));
      playCue(summary.rejected ? 'error' : 'ok');
    }, []),
  );

  const choice = nodes?.find((candidate) => nodeId(candidate) === selected) ?? nodes?.[0];

  const formId = choice ? `${choice.node.form.key}@${choice.node.form.version}/${language}` : null;
  const form = loaded && loaded.id === formId ? (loaded.form ?? null) : null;
  const formError = loaded && loaded.id === formId ? loaded.error : null;

  useEffect(() => {
    if (!choice || !formId) return;
    let live = true;
    getFormVersion(choice.node.form.key, choice.node.form.version, language)
      .then((version) => live && setLoaded({ id: formId, form: version }))
      .catch((caught: unknown) => live && setLoaded({ id: formId, error: caught }));
    return () => {
      live = false;
    };
  }, [choice, formId, language]);

  function choose(next: StationNode) {
    setSelected(nodeId(next));
    store(NODE_KEY, nodeId(next));
    setErrors(undefined);
    setSignatures([]);
    setFixing(undefined);
    setFormKey((key) => key + 1);
  }

  /** Asks for the form's first field to get focus as soon as the (maybe new) form is on screen. */
  const wantFocus = useRef(false);
  const [, setFocusRequests] = useState(0);
  function focusFirstField() {
    wantFocus.current = true;
    setFocusRequests((n) => n + 1); // render, so the effect below runs
  }

  useEffect(() => {
    if (!form || !wantFocus.current) return;
    const first = document.querySelector<HTMLElement>(
      '.capture-form input:not([type=hidden]), .capture-form select, .capture-form textarea',
    );
    if (first) {
      first.focus();
      wantFocus.current = false;
    }
  });

  /**
   * Scan-first: the subject's open flow instances say which steps are due; when the chosen step is
   * not one of them and one served here is, go there. Then on to the form's first field.
   */
  async function onSubjectScanned(value: string) {
    setSubject(value);
    setHint(null);
    const lookup = ++lookups.current; // a later scan makes this lookup's answer irrelevant
    if (!choice || !nodes || !value) return focusFirstField();
    try {
      const served = new Set(nodes.map((n) => n.flow.key));
      const open = (await findInstances(value)).filter(
        (instance) => served.has(instance.flow_key) && instance.status !== 'completed',
      );
      const details = await Promise.all(open.map((instance) => getInstance(instance.id)));
      if (lookup !== lookups.current) return;
      const due = details.flatMap((detail) => {
        const enabled = new Set(detail.nodes.filter((n) => n.enabled && !n.anytime).map((n) => n.node));
        return nodes.filter((n) => n.flow.key === detail.flow_key && enabled.has(n.node.id));
      });
      if (due.length > 0 && !due.includes(choice)) choose(due[0]!);
      if (open.length > 0) {
        const names = due.map((n) => localize(n.node.name, language) || n.node.id);
        setHint(
          names.length ? t('station.subject.next', { steps: names.join(', ') }) : t('station.subject.noStepHere'),
        );
      }
    } catch {
      // Offline or not allowed to read instances: stay on the chosen step.
    }
    if (lookup === lookups.current) focusFirstField();
  }

  async function submit(data: Record<string, unknown>) {
    if (!choice) return;
    const meanings = choice.node.rules?.signatures?.meanings ?? [];
    const body: CaptureBody = {
      idempotency_key: newIdempotencyKey(),
      flow: choice.flow.key,
      node: choice.node.id,
      subject: subject.trim() || null,
      station,
      event_time: fixing?.body.event_time ?? localTimestamp(), // a fix keeps the capture time
      payload: data,
      ...(meanings.length ? { signatures: signatures.slice(0, meanings.length) } : {}),
    };
    setBusy(true);
    setErrors(undefined);
    setSignatureErrors({});
    try {
      // Records are recorded in the order they were made: behind a waiting queue, this one waits.
      if (!navigator.onLine || queue.waiting.length > 0) {
        throw new ApiError({ status: 0, code: 'network_error', message: 'queued' });
      }
      const result = await postRecord(body);
      if (fixing) await queue.dismiss(fixing.seq!);
      setOutcome({ kind: 'accepted', result });
      playCue('ok');
      reset();
    } catch (caught) {
      // No network, a server error, or an ended session (the same operator signs in again and it
      // is sent): nothing was recorded, so it waits here.
      if (isTransient(caught)) {
        if (meanings.length) {
          // Passwords are never stored on the tablet, so a signed step cannot wait offline.
          setOutcome({ kind: 'refused', message: t('station.outcome.signOnline'), other: [] });
          playCue('error');
          return;
        }
        // Nothing reached the database (or we cannot know): keep it, with its key, for later.
        await queue.add(body);
        if (fixing) await queue.dismiss(fixing.seq!);
        setOutcome({ kind: 'queued' });
        playCue('ok');
        reset();
        if (navigator.onLine) void queue.flush();
        return;
      }
      showRefusal(caught);
    } finally {
      setBusy(false);
    }
  }

  function showRefusal(caught: unknown) {
    const fieldErrors = caught instanceof ApiError ? caught.errors : [];
    const { schema, other } = toErrorSchema(fieldErrors);
    setErrors(schema);
    const bySigner: Record<number, string[]> = {};
    for (const error of other) {
      if (error.path[0] === 'signatures' && typeof error.path[1] === 'number') {
        (bySigner[error.path[1]] ??= []).push(error.message);
      }
    }
    setSignatureErrors(bySigner);
    setOutcome({ kind: 'refused', message: errorMessage(caught, t), other });
    playCue('error');
  }

  function reset() {
    setSubject('');
    setHint(null);
    setSignatures([]);
    setFixing(undefined);
    setFormKey((key) => key + 1);
    window.setTimeout(() => subjectRef.current?.querySelector('input')?.focus(), 0);
  }

  /**
   * A submission the server refused after a sync: back into the form with its errors on their
   * fields. It stays on the refused list until the corrected record is accepted (or queued).
   */
  function fix(entry: RejectedEntry) {
    const target = nodes?.find((n) => n.flow.key === entry.body.flow && n.node.id === entry.body.node);
    if (target) choose(target);
    setSubject(entry.body.subject ?? '');
    setFixing(entry);
    setFormKey((key) => key + 1);
    const { schema, other } = toErrorSchema(
      entry.errors.map((e) => ({ ...e, code: entry.code, params: {} })),
    );
    setErrors(schema);
    setOutcome({ kind: 'refused', message: entry.message, other: other });
  }

  if (!station && me?.kind !== 'station') {
    return (
      <StationPicker
        onPick={(code) => {
          store(STATION_KEY, code);
          setChosenStation(code);
        }}
      />
    );
  }

  const meanings = choice?.node.rules?.signatures?.meanings ?? [];
  const stepName = (node: string, flow = choice?.flow.key) => {
    const found = nodes?.find((n) => n.flow.key === flow && n.node.id === node)?.node;
    return (found && localize(found.name, language)) || node;
  };

  return (
    <div className="station" data-testid="station">
      <header className="station__bar">
        <h1 className="station__title">
          {t('station.heading', { station: station ?? '—' })}
        </h1>
        <StatusBadge tone={queue.online ? 'ok' : 'warning'} data-testid="network-status">
          {queue.online ? t('station.network.online') : t('station.network.offline')}
        </StatusBadge>
        {me?.kind !== 'station' ? (
          <button
            type="button"
            className="button button--secondary"
            onClick={() => {
              localStorage.removeItem(STATION_KEY);
              setChosenStation(null);
            }}
          >
            {t('station.changeStation')}
          </button>
        ) : null}
      </header>

      <QueuePanel queue={queue} stepName={stepName} onFix={fix} />

      {nodesError ? (
        <p className="alert alert--danger" role="alert">
          {errorMessage(nodesError, t)}
        </p>
      ) : null}
      {nodes && nodes.length === 0 ? (
        <p className="alert alert--warning">{t('station.noNodes')}</p>
      ) : null}
      {nodes && nodes.length > 1 ? (
        <nav className="station__nodes" aria-label={t('station.nodes')}>
          {nodes.map((candidate) => (
            <button
              key={nodeId(candidate)}
              type="button"
              className={`button ${candidate === choice ? '' : 'button--secondary'}`}
              aria-pressed={candidate === choice}
              onClick={() => choose(candidate)}
            >
              {localize(candidate.flow.name, language) || candidate.flow.key} ·{' '}
              {localize(candidate.node.name, language) || candidate.node.id}
            </button>
          ))}
        </nav>
      ) : null}

      {outcome ? (
        <OutcomePanel
          outcome={outcome}
          stepName={stepName}
          station={station}
          onDismiss={() => setOutcome(null)}
        />
      ) : null}

      {choice ? (
        <section className="card station__work" aria-labelledby="station-form-title">
          <h2 id="station-form-title">
            {form ? localize(form.document.title, language) : localize(choice.node.name, language)}
          </h2>
          <div className="field" ref={subjectRef}>
            <label htmlFor="station-subject">
              {t(`station.subject.${choice.flow.subject}`, { defaultValue: t('station.subject.any') })}
            </label>
            <SubjectInput value={subject} onChange={setSubject} onScanned={(v) => void onSubjectScanned(v)} />
            {hint ? <small data-testid="subject-hint">{hint}</small> : null}
          </div>
          {formError ? (
            <p className="alert alert--danger" role="alert">
              {errorMessage(formError, t)}
            </p>
          ) : null}
          {form ? (
            <CaptureForm
              key={`${nodeId(choice)}-${formKey}`}
              rendered={form.rendered}
              initialData={fixing?.body.payload}
              errors={errors}
              busy={busy}
              autoSubmit={!!choice.node.station?.auto_submit && meanings.length === 0}
              onSubmit={(data) => void submit(data)}
            >
              {meanings.length ? (
                <SignatureFields
                  meanings={meanings}
                  value={signatures}
                  onChange={setSignatures}
                  errors={signatureErrors}
                />
              ) : null}
            </CaptureForm>
          ) : (
            !formError && <p aria-busy="true">{t('common.loading')}</p>
          )}
        </section>
      ) : null}
    </div>
  );
}

/** The subject (serial, lot, work order) as a scan field: Enter looks up its next step. */
function SubjectInput(props: { value: string; onChange: (v: string) => void; onScanned: (v: string) => void }) {
  const { value, onChange, onScanned } = props;
  return (
    <div
      onKeyDownCapture={(event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          event.stopPropagation();
          onScanned(value.trim());
        }
      }}
    >
      <ScanWidget
        id="station-subject"
        name="subject"
        value={value}
        label=""
        schema={{}}
        uiSchema={{}}
        options={{}}
        registry={undefined as never}
        required
        autofocus
        onChange={(next: unknown) => onChange(typeof next === 'string' ? next : '')}
        onBlur={() => undefined}
        onFocus={() => undefined}
      />
    </div>
  );
}

type OutcomePanelProps = {
  outcome: Outcome;
  stepName: (node: string) => string;
  /** the station's code: its label printer prints the created items' labels */
  station: string | null;
  onDismiss: () => void;
};

function OutcomePanel({ outcome, stepName, station, onDismiss }: OutcomePanelProps) {
  const { t } = useTranslation();
  if (outcome.kind === 'queued') {
    return (
      <div className="alert alert--warning outcome" role="status" data-testid="outcome" data-outcome="queued">
        <strong>{t('station.outcome.queued')}</strong>
        <button type="button" className="button button--secondary" onClick={onDismiss}>
          {t('station.outcome.dismiss')}
        </button>
      </div>
    );
  }
  if (outcome.kind === 'refused') {
    return (
      <div className="alert alert--danger outcome" role="alert" data-testid="outcome" data-outcome="refused">
        <strong>{outcome.message}</strong>
        {outcome.other.length ? (
          <ul>
            {outcome.other.map((error, index) => (
              <li key={index}>{error.message}</li>
            ))}
          </ul>
        ) : null}
      </div>
    );
  }
  const { result } = outcome;
  return (
    <div className="alert alert--ok outcome" role="status" data-testid="outcome" data-outcome="accepted">
      <strong>
        {t(result.replayed ? 'station.outcome.replayed' : 'station.outcome.accepted', {
          id: result.record.id,
        })}
      </strong>
      {result.next_steps.length ? (
        <p data-testid="next-steps">
          {t('station.outcome.next', { steps: result.next_steps.map((s) => stepName(s.node)).join(', ') })}
        </p>
      ) : result.instance_status === 'completed' ? (
        <p>{t('station.outcome.completed')}</p>
      ) : null}
      {result.notices.map((notice, index) => (
        <p key={index} className="alert alert--warning">
          {notice.message}
        </p>
      ))}
      {result.created_items.length ? (
        <div className="labels">
          <h3>{t('station.outcome.created', { count: result.created_items.length })}</h3>
          <div className="labels__grid">
            {result.created_items.map((item) => (
              <LabelCard key={item.id} item={item} station={station} />
            ))}
          </div>
          <button type="button" className="button button--secondary" onClick={() => window.print()}>
            {t('station.label.print')}
          </button>
        </div>
      ) : null}
      <button type="button" className="button button--secondary" onClick={onDismiss}>
        {t('station.outcome.dismiss')}
      </button>
    </div>
  );
}
