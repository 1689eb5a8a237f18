/** Users, login/logout and personal access tokens (reference 4.2, 4.3, 7). */
import {
  CommandCode,
  decodeChangePasswordRequest,
  decodeCreatePersonalAccessTokenRequest,
  decodeCreateUserRequest,
  decodeDeletePersonalAccessTokenRequest,
  decodeDeleteUserRequest,
  decodeGetPersonalAccessTokensRequest,
  decodeGetUserRequest,
  decodeGetUsersRequest,
  decodeLoginUserRequest,
  decodeLoginWithPersonalAccessTokenRequest,
  decodeLogoutUserRequest,
  decodeUpdatePermissionsRequest,
  decodeUpdateUserRequest,
  encodeCreatePersonalAccessTokenResponse,
  encodeCreateUserResponse,
  encodeGetPersonalAccessTokensResponse,
  encodeGetUserResponse,
  encodeGetUsersResponse,
  encodeLoginUserResponse,
  encodeLoginWithPersonalAccessTokenResponse,


} from '@iggy-ts/protocol';
import { canManageUsers, canReadUsers, ensurePermitted } from '../../metadata/permissions.js';
import type { UserStatus } from '../../metadata/model.js';
import { command, type Command } from '../command.js';
import { userIdOf, type Context } from '../context.js';
import { fromWirePermissions, userDetails, userInfo } from '../views.js';
import { permissionsOf } from './auth.js';

function requireUserManager(context: Context): void {
  ensurePermitted(canManageUsers(permissionsOf(context)));
}

/**
 * Logs out every session of a user that no longer exists, the caller's own included when a user
 * deletes itself (0.8 leaves them logged in, and a session left behind would act as whichever user
 * later gets the freed id). The connections stay open.
 */
function logOutSessionsOf(context: Context, userId: number): void {
  for (const session of context.state.sessions.forUser(userId)) session.userId = null;
}

export const userCommands: Command<unknown>[] = [
  command(CommandCode.GetUser, decodeGetUserRequest, (context, request) => {
    const user = context.state.metadata.getUser(request.userId);
    if (user === undefined) return undefined;
    if (user.id !== userIdOf(context)) ensurePermitted(canReadUsers(permissionsOf(context)));
    return encodeGetUserResponse(userDetails(user));
  }),
  command(CommandCode.GetUsers, decodeGetUsersRequest, (context) => {
    ensurePermitted(canReadUsers(permissionsOf(context)));
    return encodeGetUsersResponse(context.state.metadata.getUsers().map(userInfo));
  }),
  command(CommandCode.CreateUser, decodeCreateUserRequest, async (context, request) => {
    requireUserManager(context);
    const user = await context.state.metadata.createUser({
      username: request.username,
      password: request.password,
      status: request.status as UserStatus,
      permissions: fromWirePermissions(request.permissions),
    });
    return encodeCreateUserResponse(userDetails(user));
  }),
  command(CommandCode.DeleteUser, decodeDeleteUserRequest, (context, request) => {
    requireUserManager(context);
    const user = context.state.metadata.deleteUser(request.userId);
    logOutSessionsOf(context, user.id);
    return undefined;
  }),
  command(CommandCode.UpdateUser, decodeUpdateUserRequest, (context, request) => {
    requireUserManager(context);
    const options: { username?: string; status?: UserStatus } = {};
    if (request.username !== undefined) options.username = request.username;
    if (request.status !== undefined) options.status = request.status as UserStatus;
    context.state.metadata.updateUser(request.userId, options);
    return undefined;
  }),
  command(CommandCode.UpdatePermissions, decodeUpdatePermissionsRequest, (context, request) => {
    requireUserManager(context);
    context.state.metadata.updatePermissions(request.userId, fromWirePermissions(request.permissions));
    return undefined;
  }),
  command(CommandCode.ChangePassword, decodeChangePasswordRequest, async (context, request) => {
    await context.state.metadata.changePassword(userIdOf(context), request.userId, request.currentPassword, request.newPassword);
    return undefined;
  }),
  command(
    CommandCode.LoginUser,
    decodeLoginUserRequest,
    async (context, request) => {
      const user = await context.state.metadata.authenticate(request.username, request.password);
      context.session.userId = user.id;
      return encodeLoginUserResponse({ userId: user.id });
    },
    false,
  ),
  command(CommandCode.LogoutUser, decodeLogoutUserRequest, (context) => {
    context.session.userId = null;
    return undefined;
  }),
  command(CommandCode.GetPersonalAccessTokens, decodeGetPersonalAccessTokensRequest, (context) => {
    const tokens = context.state.metadata.getPersonalAccessTokens(userIdOf(context));
    return encodeGetPersonalAccessTokensResponse(tokens.map((token) => ({ name: token.name, expiryAt: token.expiryAtUs ?? 0 })));
  }),
  command(CommandCode.CreatePersonalAccessToken, decodeCreatePersonalAccessTokenRequest, (context, request) => {
    const created = context.state.metadata.createPersonalAccessToken(userIdOf(context), request.name, request.expiry);
    return encodeCreatePersonalAccessTokenResponse({ token: created.token });
  }),
  command(CommandCode.DeletePersonalAccessToken, decodeDeletePersonalAccessTokenRequest, (context, request) => {
    context.state.metadata.deletePersonalAccessToken(userIdOf(context), request.name);
    return undefined;
  }),
  command(
    CommandCode.LoginWithPersonalAccessToken,
    decodeLoginWithPersonalAccessTokenRequest,
    (context, request) => {
      const user = context.state.metadata.loginWithPersonalAccessToken(request.token);
      context.session.userId = user.id;
      return encodeLoginWithPersonalAccessTokenResponse({ userId: user.id });
    },
    false,
  ),
];

