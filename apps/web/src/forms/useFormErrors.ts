import { useCallback, useState } from 'react';
import type { z } from 'zod';
import { ApiError } from '../api';
import { plainMessage } from './plainMessage';

/** FieldErrors maps a dotted field path (`owner.email`, `settings.php.memoryLimitMb`) to its message. */
export type FieldErrors = Record<string, string>;

/**
 * issuesToErrors keeps the first message per field path, the way a user reads them top to bottom, with
 * zod's default wording turned into a plain sentence (custom messages are kept as written).
 */
export function issuesToErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join('.');
    errors[key] ??= plainMessage(issue.message);
  }
  return errors;
}

export interface FormErrorsOptions {
  /** Field paths the form renders; server issues on any other path are shown above the form. */
  fields: readonly string[];
  /** Error codes that concern one field without naming it in `details.issues` (SLUG_TAKEN → `slug`). */
  codeFields?: Readonly<Record<string, string>>;
}

/**
 * useFormErrors validates a form's input with a shared contracts schema and places the API's answer
 * at the field it concerns: `details.issues[].path` first, then the code table, then above the form.
 */
export function useFormErrors<S extends z.ZodType>(schema: S, options: FormErrorsOptions) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const { fields, codeFields } = options;

  const validate = useCallback(
    (input: z.input<S>): z.output<S> | null => {
      const parsed = schema.safeParse(input);
      setFormError(null);
      if (parsed.success) {
        setErrors({});
        return parsed.data;
      }
      const found = issuesToErrors(parsed.error.issues);
      const unplaced = Object.entries(found).filter(([key]) => !fields.includes(key));
      setErrors(found);
      if (unplaced.length > 0) setFormError(unplaced.map(([, message]) => message).join(' '));
      return null;
    },
    [schema, fields],
  );

  const showServerError = useCallback(
    (error: unknown) => {
      if (!(error instanceof ApiError)) {
        setFormError('The panel could not be reached. Check the connection and try again.');
        return;
      }
      const found = issuesToErrors(error.issues);
      const placed: FieldErrors = {};
      for (const [key, message] of Object.entries(found)) if (fields.includes(key)) placed[key] = message;
      const codeField = codeFields?.[error.code];
      if (codeField && fields.includes(codeField)) placed[codeField] ??= error.message;
      setErrors(placed);
      setFormError(Object.keys(placed).length > 0 ? null : error.message);
    },
    [fields, codeFields],
  );

  const reset = useCallback(() => {
    setErrors({});
    setFormError(null);
  }, []);

  return { errors, formError, validate, showServerError, reset };
}
