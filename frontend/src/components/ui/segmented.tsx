type SegmentedProps<Option extends string> = {
  name: string;
  legend: string;
  /** Keep the legend for screen readers only. */
  hideLegend?: boolean;
  options: readonly Option[];
  value: Option;
  label: (option: Option) => string;
  onChange: (option: Option) => void;
  testId?: string;
};

/** A row of radio buttons drawn as one segmented control (`.segmented`). */
export function Segmented<Option extends string>({
  name,
  legend,
  hideLegend = false,
  options,
  value,
  label,
  onChange,
  testId,
}: SegmentedProps<Option>) {
  return (
    <fieldset className="segmented" data-testid={testId}>
      <legend className={hideLegend ? 'visually-hidden' : undefined}>{legend}</legend>
      {options.map((option) => (
        <label key={option}>
          <input
            type="radio"
            name={name}
            value={option}
            checked={value === option}
            onChange={() => onChange(option)}
          />
          {label(option)}
        </label>
      ))}
    </fieldset>
  );
}
