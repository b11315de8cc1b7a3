// One error shape for every HTTP failure, from the same catalogue the CLI prints: { statusCode, code, message }.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Errors, isOutgateError } from '../../errors.js';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (isOutgateError(err)) {
    if (err.retryAfterSeconds !== undefined) void reply.header('retry-after', String(err.retryAfterSeconds));
    void reply.status(err.status).send({ statusCode: err.status, code: err.code, message: err.message } satisfies ErrorBody);
    return;
  }
  if (err.validation) {
    const field = err.validation[0]?.instancePath?.replace(/^\//, '').replaceAll('/', '.') || err.validationContext || 'request';
    void reply.status(400).send({ statusCode: 400, code: Errors.INVALID_ARGUMENT.code, message: `${field} ${err.validation[0]?.message ?? 'is invalid'}.` } satisfies ErrorBody);
    return;
  }
  if (err.statusCode !== undefined && err.statusCode < 500) {
    void reply.status(err.statusCode).send({ statusCode: err.statusCode, code: Errors.INVALID_ARGUMENT.code, message: err.message } satisfies ErrorBody);
    return;
  }
  req.log.error({ err }, 'unhandled error');
  void reply.status(500).send({ statusCode: 500, code: 'OG_ERR_INTERNAL', message: 'Something went wrong on the server; the log has the details.' } satisfies ErrorBody);
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send({ statusCode: 404, code: Errors.NOT_FOUND.code, message: `No such route: ${req.method} ${req.url.split('?')[0]}.` } satisfies ErrorBody);
}
