import type { FastifyError, FastifyInstance } from 'fastify';
import { type HubErrorCode, hubErrorCodes } from '../errors.ts';

/** Every 4xx/5xx body of the API: a stable code from errors.ts and a sentence saying what to do. */
export interface ApiErrorBody {
  error: HubErrorCode | 'TG_HUB_UNEXPECTED';
  message: string;
}

/** An error a route throws to answer with this status and body. */
export class ApiError extends Error {
  readonly statusCode: number;
  readonly code: HubErrorCode;

  constructor(statusCode: number, code: HubErrorCode, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
  }
}

// Longest URL the API takes. The dashboard's longest is a filtered fleet page (~300 chars); 2 KiB
// leaves room while refusing the megabyte query strings that only probe for parser bugs.
export const maxUrlLength = 2_048; // characters

/** Maps Fastify's own errors (schema validation, body too large, CSRF, rate limit) onto the catalogue. */
function toBody(error: FastifyError | ApiError): { status: number; body: ApiErrorBody } {
  if (error instanceof ApiError)
    return { status: error.statusCode, body: { error: error.code, message: error.message } };
  if (error.validation !== undefined) {
    return {
      status: 400,
      body: { error: hubErrorCodes.badRequest, message: `${error.validationContext ?? 'request'}: ${error.message}` },
    };
  }
  if (error.code?.startsWith('FST_CSRF')) {
    return {
      status: 403,
      body: {
        error: hubErrorCodes.csrf,
        message: 'missing or invalid CSRF token: send the x-csrf-token header from GET /auth/session',
      },
    };
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return { status, body: { error: hubErrorCodes.badRequest, message: error.message } };
  }
  return { status: 500, body: { error: 'TG_HUB_UNEXPECTED', message: 'internal error; see the hub log' } };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.url.length > maxUrlLength) {
      throw new ApiError(
        414,
        hubErrorCodes.uriTooLong,
        `URL is ${request.url.length} characters; the API takes at most ${maxUrlLength}`,
      );
    }
  });
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const { status, body } = toBody(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: hubErrorCodes.notFound,
      message: `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}; the API lives under /api/`,
    } satisfies ApiErrorBody),
  );
}
