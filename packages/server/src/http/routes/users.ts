/** Users, login/logout/refresh and personal access tokens (0.8 `http/users.rs`, `http/personal_access_tokens.rs`). */
import {
  CommandCode,
  IggyError,
  UserStatus,
  decodeChangePasswordResponse,
  decodeCreatePersonalAccessTokenResponse,
  decodeCreateUserResponse,
  decodeDeletePersonalAccessTokenResponse,
  decodeDeleteUserResponse,
  decodeGetPersonalAccessTokensResponse,
  decodeGetUserResponse,
  decodeGetUsersResponse,
  decodeLoginUserResponse,
  decodeLoginWithPersonalAccessTokenResponse,
  decodeLogoutUserResponse,
  decodeUpdatePermissionsResponse,
  decodeUpdateUserResponse,
  encodeChangePasswordRequest,
  encodeCreatePersonalAccessTokenRequest,
  encodeCreateUserRequest,
  encodeDeletePersonalAccessTokenRequest,
  encodeDeleteUserRequest,
  encodeGetPersonalAccessTokensRequest,
  encodeGetUserRequest,
  encodeGetUsersRequest,
  encodeLoginUserRequest,
  encodeLoginWithPersonalAccessTokenRequest,
  encodeLogoutUserRequest,
  encodeUpdatePermissionsRequest,
  encodeUpdateUserRequest,
} from '@iggy-ts/protocol';
import { IdentityInfo, PersonalAccessTokenInfo, RawPersonalAccessToken, UserInfo, UserInfoDetails, bodies, identifierParam } from '../components.js';
import { iggyProblem, notFoundProblem } from '../errors.js';
import { defineRoute, json, noContent, type AnyRoute } from '../route.js';
import { permissionsFromJson } from '@iggy-ts/protocol';
import { identityJson, personalAccessTokenJson, userDetailsJson, userInfoJson } from '../views.js';
import { noBody, parseIdentifier } from './common.js';

type StatusName = 'active' | 'inactive';
const statusCode = (status: StatusName): number => (status === 'inactive' ? UserStatus.Inactive : UserStatus.Active);

const userIdParams = { user_id: identifierParam };

export function userRoutes(): AnyRoute[] {
  return [
    defineRoute<{ username: string; password: string; version?: string | null; context?: string | null }>({
      method: 'POST',
      path: '/users/login',
      operationId: 'loginUser',
      summary: 'Log in with username and password; returns a JWT',
      tag: 'users',
      public: true,
      body: bodies.login,
      responses: { 200: { description: 'IdentityInfo', schema: IdentityInfo } },
      handle: async (context) => {
        const { username, password, version, context: clientContext } = context.body;
        const payload = encodeLoginUserRequest({ username, password, version: version ?? undefined, context: clientContext ?? undefined });
        const { userId } = await context.call(CommandCode.LoginUser, payload, decodeLoginUserResponse);
        return json(200, identityJson(context.api.jwt.issue(userId)));
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/users/logout',
      operationId: 'logoutUser',
      summary: 'Revoke the presented JWT',
      tag: 'users',
      responses: { 204: noBody('Logged out') },
      handle: async (context) => {
        await context.call(CommandCode.LogoutUser, encodeLogoutUserRequest(), decodeLogoutUserResponse);
        const identity = context.identity!;
        context.api.jwt.revoke(identity.tokenId, identity.expiry);
        return noContent();
      },
    }),
    defineRoute<{ token: string }>({
      method: 'POST',
      path: '/users/refresh-token',
      operationId: 'refreshToken',
      summary: 'Exchange a valid JWT for a new one (each token can be refreshed once)',
      tag: 'users',
      public: true,
      body: bodies.token,
      responses: { 200: { description: 'IdentityInfo', schema: IdentityInfo } },
      handle: (context) => {
        try {
          return json(200, identityJson(context.api.jwt.refresh(context.body.token)));
        } catch (error) {
          if (error instanceof IggyError) throw iggyProblem(error.code);
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/users',
      operationId: 'getUsers',
      summary: 'List users (needs read_users)',
      tag: 'users',
      responses: { 200: { description: 'Users, ascending id', schema: { type: 'array', items: UserInfo } } },
      handle: async (context) => {
        const users = await context.call(CommandCode.GetUsers, encodeGetUsersRequest(), decodeGetUsersResponse);
        return json(200, [...users].sort((a, b) => a.id - b.id).map(userInfoJson));
      },
    }),
    defineRoute<{ username: string; password: string; status: StatusName; permissions?: unknown }>({
      method: 'POST',
      path: '/users',
      operationId: 'createUser',
      summary: 'Create a user (needs manage_users)',
      tag: 'users',
      body: bodies.createUser,
      responses: { 200: { description: 'The new user', schema: UserInfoDetails } },
      handle: async (context) => {
        const { username, password, status, permissions } = context.body;
        const payload = encodeCreateUserRequest({ username, password, status: statusCode(status), permissions: permissionsFromJson(permissions) });
        return json(200, userDetailsJson(await context.call(CommandCode.CreateUser, payload, decodeCreateUserResponse)));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/users/{user_id}',
      operationId: 'getUser',
      summary: 'One user (own user, or needs read_users)',
      tag: 'users',
      params: userIdParams,
      responses: { 200: { description: 'UserInfoDetails', schema: UserInfoDetails } },
      handle: async (context) => {
        const userId = parseIdentifier(context.params.user_id!, 'user_id');
        const user = await context.call(CommandCode.GetUser, encodeGetUserRequest({ userId }), decodeGetUserResponse);
        if (user === undefined) throw notFoundProblem();
        return json(200, userDetailsJson(user));
      },
    }),
    defineRoute<{ username?: string | null; status?: StatusName | null }>({
      method: 'PUT',
      path: '/users/{user_id}',
      operationId: 'updateUser',
      summary: 'Change username and/or status (needs manage_users)',
      tag: 'users',
      params: userIdParams,
      body: bodies.updateUser,
      responses: { 204: noBody('Updated') },
      handle: async (context) => {
        const userId = parseIdentifier(context.params.user_id!, 'user_id');
        const { username, status } = context.body;
        const payload = encodeUpdateUserRequest({ userId, username: username ?? undefined, status: status === undefined || status === null ? undefined : statusCode(status) });
        await context.call(CommandCode.UpdateUser, payload, decodeUpdateUserResponse);
        return noContent();
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/users/{user_id}',
      operationId: 'deleteUser',
      summary: 'Delete a user (needs manage_users)',
      tag: 'users',
      params: userIdParams,
      responses: { 204: noBody('Deleted') },
      handle: async (context) => {
        const userId = parseIdentifier(context.params.user_id!, 'user_id');
        await context.call(CommandCode.DeleteUser, encodeDeleteUserRequest({ userId }), decodeDeleteUserResponse);
        return noContent();
      },
    }),
    defineRoute<{ permissions?: unknown }>({
      method: 'PUT',
      path: '/users/{user_id}/permissions',
      operationId: 'updatePermissions',
      summary: 'Replace a user\'s permissions (needs manage_users)',
      tag: 'users',
      params: userIdParams,
      body: bodies.updatePermissions,
      responses: { 204: noBody('Updated') },
      handle: async (context) => {
        const userId = parseIdentifier(context.params.user_id!, 'user_id');
        const payload = encodeUpdatePermissionsRequest({ userId, permissions: permissionsFromJson(context.body.permissions) });
        await context.call(CommandCode.UpdatePermissions, payload, decodeUpdatePermissionsResponse);
        return noContent();
      },
    }),
    defineRoute<{ current_password: string; new_password: string }>({
      method: 'PUT',
      path: '/users/{user_id}/password',
      operationId: 'changePassword',
      summary: 'Change a password',
      tag: 'users',
      params: userIdParams,
      body: bodies.changePassword,
      responses: { 204: noBody('Changed') },
      handle: async (context) => {
        const userId = parseIdentifier(context.params.user_id!, 'user_id');
        const payload = encodeChangePasswordRequest({ userId, currentPassword: context.body.current_password, newPassword: context.body.new_password });
        await context.call(CommandCode.ChangePassword, payload, decodeChangePasswordResponse);
        return noContent();
      },
    }),
  ];
}

export function personalAccessTokenRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/personal-access-tokens',
      operationId: 'getPersonalAccessTokens',
      summary: 'The caller\'s personal access tokens',
      tag: 'personal-access-tokens',
      responses: { 200: { description: 'Tokens, by name', schema: { type: 'array', items: PersonalAccessTokenInfo } } },
      handle: async (context) => {
        const tokens = await context.call(CommandCode.GetPersonalAccessTokens, encodeGetPersonalAccessTokensRequest(), decodeGetPersonalAccessTokensResponse);
        return json(200, [...tokens].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(personalAccessTokenJson));
      },
    }),
    defineRoute<{ name: string; expiry: number | bigint }>({
      method: 'POST',
      path: '/personal-access-tokens',
      operationId: 'createPersonalAccessToken',
      summary: 'Create a personal access token; the raw token is returned once',
      tag: 'personal-access-tokens',
      body: bodies.createPersonalAccessToken,
      responses: { 200: { description: 'The raw token', schema: RawPersonalAccessToken } },
      handle: async (context) => {
        const payload = encodeCreatePersonalAccessTokenRequest({ name: context.body.name, expiry: BigInt(context.body.expiry) });
        const created = await context.call(CommandCode.CreatePersonalAccessToken, payload, decodeCreatePersonalAccessTokenResponse);
        return json(200, { token: created.token });
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/personal-access-tokens/{name}',
      operationId: 'deletePersonalAccessToken',
      summary: 'Delete one of the caller\'s personal access tokens',
      tag: 'personal-access-tokens',
      params: { name: { type: 'string', minLength: 1, maxLength: 255 } },
      responses: { 204: noBody('Deleted') },
      handle: async (context) => {
        await context.call(CommandCode.DeletePersonalAccessToken, encodeDeletePersonalAccessTokenRequest({ name: context.params.name! }), decodeDeletePersonalAccessTokenResponse);
        return noContent();
      },
    }),
    defineRoute<{ token: string }>({
      method: 'POST',
      path: '/personal-access-tokens/login',
      operationId: 'loginWithPersonalAccessToken',
      summary: 'Log in with a personal access token; returns a JWT',
      tag: 'personal-access-tokens',
      public: true,
      body: bodies.token,
      responses: { 200: { description: 'IdentityInfo', schema: IdentityInfo } },
      handle: async (context) => {
        const payload = encodeLoginWithPersonalAccessTokenRequest({ token: context.body.token });
        const { userId } = await context.call(CommandCode.LoginWithPersonalAccessToken, payload, decodeLoginWithPersonalAccessTokenResponse);
        return json(200, identityJson(context.api.jwt.issue(userId)));
      },
    }),
  ];
}
