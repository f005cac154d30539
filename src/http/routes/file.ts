/** GET /api/file?path=[&download=1]: a file's bytes, ranges and previews by fileResponse.ts. */
import { filesOf, type RequestContext } from '../context.js';
import { sendFile } from '../fileResponse.js';
import { badRequest } from '../HttpError.js';

export function file(ctx: RequestContext): Promise<void> {
  return sendFile(ctx, filesOf(ctx), requiredPath(ctx.url.searchParams));
}

export function requiredPath(params: URLSearchParams, name = 'path'): string {
  const value = params.get(name);
  if (value === null || value === '') throw badRequest(`${name} is required`);
  return value;
}
