import type { SwaggerTransform } from '@fastify/swagger';
import { ZErrorBody } from '@berth/contracts';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** ERROR_ANSWERS are the 4xx answers any API operation can give, each with the error handler's one body. */
const ERROR_ANSWERS: Record<number, string> = {
  400: 'VALIDATION_FAILED: a body, query or path parameter failed its schema (`details.issues` names each field).',
  401: 'UNAUTHENTICATED (no or an expired session or token) or a failed sign-in.',
  403: 'FORBIDDEN (role or token scope) or CSRF_TOKEN_INVALID (a session mutation without X-CSRF-Token).',
  404: 'NOT_FOUND: no such thing, or it belongs to another tenant (never told apart).',
  409: 'A conflict with the current state, e.g. TENANT_SUSPENDED, a name already taken, IDEMPOTENCY_KEY_REUSED.',
  422: 'The request is well formed but outside the plan: PLAN_LIMIT_REACHED, VERSION_NOT_ALLOWED, SETTING_OUT_OF_BOUNDS.',
  429: 'RATE_LIMITED: too many attempts; the Retry-After header says when to try again.',
};

const ERROR_RESPONSES = Object.fromEntries(
  Object.entries(ERROR_ANSWERS).map(([status, description]) => [
    status,
    { description, content: { 'application/json': { schema: ZErrorBody } } },
  ]),
);

/**
 * jsonSchemaTransformWithErrors is the OpenAPI transform of the API: the zod type provider's, after adding
 * the error answers (400, 401, 403, 404, 409, 422, 429 with `#/components/schemas/ErrorBody`) to every
 * documented operation that does not describe them itself, so clients and schema-based fuzzers know every
 * answer an operation can give. It changes the document only; responses are still serialized by the
 * route's own schemas.
 */
export const jsonSchemaTransformWithErrors: SwaggerTransform = (input) => {
  const schema = (input.schema ?? {}) as { hide?: boolean; response?: Record<string, unknown> };
  if (schema.hide || !input.url.startsWith('/api/'))
    return jsonSchemaTransform(input as Parameters<typeof jsonSchemaTransform>[0]);
  const withErrors = { ...schema, response: { ...ERROR_RESPONSES, ...schema.response } };
  return jsonSchemaTransform({ ...input, schema: withErrors } as Parameters<typeof jsonSchemaTransform>[0]);
};
