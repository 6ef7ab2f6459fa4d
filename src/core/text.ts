// Long messages written over several source lines (the formatter keeps code within 120 columns):
// `para` joins a template's lines into one paragraph, each line break and the indentation around
// it becoming one space. Interpolated values are kept as they are.

/** One paragraph from a template literal written over several lines. */
export function para(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = '';
  strings.forEach((part, i) => {
    out += part.replace(/[ \t]*\n[ \t]*/g, ' ');
    if (i < values.length) out += String(values[i]);
  });
  return out;
}
