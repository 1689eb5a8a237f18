/** Who is calling: the permissions of the session's user (none when the user was deleted). */
import type { Permissions } from '../../metadata/model.js';
import type { Context } from '../context.js';

export function permissionsOf(context: Context): Permissions | null {
  const userId = context.session.userId;
  if (userId === null) return null;
  return context.state.metadata.getUser(userId)?.permissions ?? null;
}
