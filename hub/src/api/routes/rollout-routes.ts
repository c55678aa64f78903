import type { FastifyInstance } from 'fastify';
import { HubError, hubErrorCodes } from '../../errors.ts';
import type { RolloutController } from '../../rollout/rollout-controller.ts';
import { rolloutRequest } from '../../rollout/rollout-spec.ts';
import { ApiError } from '../api-errors.ts';
import { requireRole } from '../store-access.ts';

const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^ro-[0-9a-f-]{1,40}$' } },
} as const;

/**
 * Rollouts (issue 10): create, list, status, pause, resume, abort. Fleet-wide operations, so admin or
 * ops only; the /api scope's login hook and CSRF check cover every route here (POSTs change state).
 */
export function rolloutRoutes(api: FastifyInstance, controller: RolloutController): void {
  api.post('/rollouts', async (request, reply) => {
    requireRole(request, ['admin', 'ops']);
    const parsed = rolloutRequest.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError(400, hubErrorCodes.badRequest, `body ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
    }
    const rollout = await answer(() => controller.create(parsed.data, request.user.username));
    return reply.code(201).send(rollout);
  });

  api.get('/rollouts', async (request) => {
    requireRole(request, ['admin', 'ops']);
    return { rollouts: await controller.list() };
  });

  api.get<{ Params: { id: string } }>('/rollouts/:id', { schema: { params: idParams } }, async (request) => {
    requireRole(request, ['admin', 'ops']);
    return answer(() => controller.view(request.params.id));
  });

  for (const action of ['pause', 'resume', 'abort'] as const) {
    api.post<{ Params: { id: string } }>(
      `/rollouts/:id/${action}`,
      { schema: { params: idParams } },
      async (request) => {
        requireRole(request, ['admin', 'ops']);
        return answer(() => controller[action](request.params.id, request.user.username));
      },
    );
  }
}

/** The controller's refusals as 4xx answers with their stable code. */
async function answer<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof HubError && error.code === hubErrorCodes.rolloutNotFound)
      throw new ApiError(404, error.code, error.message);
    if (error instanceof HubError && error.code === hubErrorCodes.rollout)
      throw new ApiError(409, error.code, error.message);
    throw error;
  }
}
