/**
 * The HTTP server builds each request's URL from its target and `Host` as a string, and makes
 * it a real URL only when something needs the whole Request (reading the body). A Host that
 * passes its check but is no valid host (`999.999.999.999`, `example.123`) would then throw deep
 * inside a route as a 500. Such a request is refused first, with a 400.
 */
import type { MiddlewareHandler } from 'hono';
import { BadRequestError } from './http-errors.js';

export const requireValidUrl: MiddlewareHandler = async (c, next) => {
  if (!URL.canParse(c.req.url)) throw new BadRequestError('the Host header and request target do not make a valid URL', { code: 'invalid_url' });
  await next();
};
