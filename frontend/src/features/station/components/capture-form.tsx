import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { ARRAY_BUTTONS } from '@/features/station/components/array-buttons';
import {
  MeasurementWidget,
  ReadonlyWidget,
  ReferenceWidget,
  ScanWidget,
} from '@/features/station/components/widgets';
import { serverValidator } from '@/features/station/lib/server-validator';
import { isComplete } from '@/features/station/lib/form-logic';
import type { RenderedForm } from '@/features/station/types/station';

const STATION_WIDGETS = {
  scan: ScanWidget,
  measurement: MeasurementWidget,
  computed: ReadonlyWidget,
  signature: ReferenceWidget,
  photo: ReferenceWidget,
  attachment: ReferenceWidget,
};

type CaptureFormProps = {
  rendered: RenderedForm;
  /** Data to start from (a refused offline submission being fixed); remount to start again. */
  initialData?: Record<string, unknown> | undefined;
  errors: ErrorSchema | undefined;
  busy: boolean;
  autoSubmit: boolean;
  /** Shown between the fields and the submit button (e.g. the signature prompt). */
  children?: ReactNode;
  onSubmit: (data: Record<string, unknown>) => void;
};

/**
 * The node's published form, rendered by react-jsonschema-form from the server's schema and
 * uiSchema with Lotline's widgets. The server validates (and says what is wrong in the user's
 * language), so the browser does not second-guess it.
 */
export function CaptureForm(props: CaptureFormProps) {
  const { rendered, initialData, errors, busy, autoSubmit, children, onSubmit } = props;
  const { t } = useTranslation();
  const [data, setData] = useState<Record<string, unknown>>(initialData ?? {});
  const schema = rendered.schema as RJSFSchema;

  return (
    <div data-auto-submit={autoSubmit && isComplete(schema, data) ? 'true' : undefined}>
    <Form
      className="capture-form"
      schema={{ ...schema, title: '' }}
      uiSchema={rendered.uiSchema as UiSchema}
      formData={data}
      widgets={STATION_WIDGETS}
      templates={{ ButtonTemplates: ARRAY_BUTTONS }}
      validator={serverValidator}
      noValidate
      noHtml5Validate
      showErrorList={false}
      extraErrors={errors}
      disabled={busy}
      onChange={(event) => setData((event.formData ?? {}) as Record<string, unknown>)}
      onSubmit={(event) => onSubmit((event.formData ?? {}) as Record<string, unknown>)}
    >
      {children}
      <button type="submit" className="button capture-form__submit" disabled={busy}>
        {busy ? t('station.form.submitting') : t('station.form.submit')}
      </button>
    </Form>
    </div>
  );
}
