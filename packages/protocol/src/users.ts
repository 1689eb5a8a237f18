/**
 * User commands (reference 4.2): GetUser 31, GetUsers 32, CreateUser 33, DeleteUser 34, UpdateUser 35,
 * UpdatePermissions 36, ChangePassword 37, LoginUser 38, LogoutUser 39.
 *
 *   user header (14 + n): [id:u32][created_at:u64][status:u8][username_len:u8][username:n]
 *   UserDetails = user header + permissions wrapper: absent `00 00 00 00`, present `01 [perm_len:u32][blob]`
 *   request permissions wrapper: [has_permissions:u8 (1 = present)] then [perm_len:u32][blob] if present
 *
 * Passwords are `[len:u8][utf8]` with no codec minimum (the server checks 3..=100 → 44); usernames are
 * Name8 (the server checks 3..=50 → 43). Status other than 1/2 in a request → 3.
 */
import type { Identifier } from './identifier.js';
import { type Permissions, permissionsSize, readPermissions, writePermissions } from './permissions.js';
import { EMPTY_BUFFER, Reader, Writer, badDiscriminant, identifierSize, name8Size, str8Size, str32Size, truncated } from './reader.js';
import { ErrorCode, IggyError } from './errors.js';

export const UserStatus = { Active: 1, Inactive: 2 } as const;

export interface UserInfo {
  readonly id: number;
  /** µs since epoch. */
  readonly createdAt: number;
  /** 1 active, 2 inactive. */
  readonly status: number;
  readonly username: string;
}

export interface UserDetails extends UserInfo {
  /** undefined = the user has no permissions blob (no grants at all). */
  readonly permissions: Permissions | undefined;
}

export function userInfoSize(user: UserInfo): number {
  return 13 + name8Size(user.username, 'username');
}

export function writeUserInfo(writer: Writer, user: UserInfo): void {
  writer.u32(user.id, 'user id').u64(user.createdAt, 'created at').u8(user.status, 'status').name8(user.username, 'username');
}

export function readUserInfo(reader: Reader): UserInfo {
  const id = reader.u32('user id');
  const createdAt = reader.u64('created at');
  const status = reader.u8('status');
  const username = reader.name8('username');
  return { id, createdAt, status, username };
}

export function userDetailsSize(user: UserDetails): number {
  return userInfoSize(user) + (user.permissions === undefined ? 4 : 5 + permissionsSize(user.permissions));
}

export function writeUserDetails(writer: Writer, user: UserDetails): void {
  writeUserInfo(writer, user);
  if (user.permissions === undefined) {
    writer.u32(0);
    return;
  }
  writer.u8(1).u32(permissionsSize(user.permissions));
  writePermissions(writer, user.permissions);
}

/** Reads the details; an absent wrapper is `00 00 00 00` (tolerated when shorter at the very end). */
export function readUserDetails(reader: Reader): UserDetails {
  const info = readUserInfo(reader);
  const flag = reader.u8('has permissions');
  if (flag !== 1) {
    reader.offset += Math.min(3, reader.remaining);
    return { ...info, permissions: undefined };
  }
  return { ...info, permissions: readPermissionsWithLength(reader) };
}

/** `[perm_len:u32][blob]`: the blob must decode to exactly perm_len bytes (else 4). */
function readPermissionsWithLength(reader: Reader): Permissions {
  const length = reader.u32('permissions length');
  if (reader.remaining < length) throw truncated('permissions', reader.offset, length, reader.remaining);
  return readPermissions(reader, reader.offset + length);
}

function optionalPermissionsSize(permissions: Permissions | undefined): number {
  return permissions === undefined ? 1 : 5 + permissionsSize(permissions);
}

function writeOptionalPermissions(writer: Writer, permissions: Permissions | undefined): void {
  if (permissions === undefined) {
    writer.u8(0);
    return;
  }
  writer.u8(1).u32(permissionsSize(permissions));
  writePermissions(writer, permissions);
}

/** `has_permissions` must be exactly 1; when absent, anything after it is ignored (Node sends 5 extra bytes). */
function readOptionalPermissions(reader: Reader): Permissions | undefined {
  const flag = reader.u8('has permissions');
  if (flag !== 1) return undefined;
  return readPermissionsWithLength(reader);
}

function readStatus(reader: Reader): number {
  const at = reader.offset;
  const status = reader.u8('status');
  if (status !== 1 && status !== 2) throw badDiscriminant('user status', at, status);
  return status;
}

function checkStatus(status: number): void {
  if (status !== 1 && status !== 2) throw new IggyError(ErrorCode.InvalidFormat, `user status must be 1 (active) or 2 (inactive), got ${status}`);
}

interface UserIdRequest {
  readonly userId: Identifier;
}

function encodeUserId(value: UserIdRequest): Buffer {
  return new Writer(identifierSize(value.userId)).id(value.userId, 'user id').finish();
}

function decodeUserId(payload: Buffer): UserIdRequest {
  return { userId: new Reader(payload).id('user id') };
}

function encodeUserDetails(user: UserDetails): Buffer {
  const writer = new Writer(userDetailsSize(user));
  writeUserDetails(writer, user);
  return writer.finish();
}

// GetUser (31): [user:Id] → UserDetails | empty (not found)

export type GetUserRequest = UserIdRequest;

export function encodeGetUserRequest(value: GetUserRequest): Buffer {
  return encodeUserId(value);
}

export function decodeGetUserRequest(payload: Buffer): GetUserRequest {
  return decodeUserId(payload);
}

export function encodeGetUserResponse(value: UserDetails | undefined): Buffer {
  return value === undefined ? EMPTY_BUFFER : encodeUserDetails(value);
}

export function decodeGetUserResponse(payload: Buffer): UserDetails | undefined {
  if (payload.length === 0) return undefined;
  return readUserDetails(new Reader(payload));
}

// GetUsers (32): empty → user headers back to back

export function encodeGetUsersRequest(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeGetUsersRequest(_payload: Buffer): undefined {
  return undefined;
}

export function encodeGetUsersResponse(value: readonly UserInfo[]): Buffer {
  let size = 0;
  for (const user of value) size += userInfoSize(user);
  const writer = new Writer(size);
  for (const user of value) writeUserInfo(writer, user);
  return writer.finish();
}

export function decodeGetUsersResponse(payload: Buffer): UserInfo[] {
  const reader = new Reader(payload);
  const users: UserInfo[] = [];
  while (reader.remaining > 0) users.push(readUserInfo(reader));
  return users;
}

// CreateUser (33): [username:Name8][password_len:u8][password][status:u8][has_permissions:u8]
//                  ([perm_len:u32][blob] if has_permissions = 1) → UserDetails

export interface CreateUserRequest {
  readonly username: string;
  readonly password: string;
  readonly status: number;
  readonly permissions?: Permissions | undefined;
}

export function encodeCreateUserRequest(value: CreateUserRequest): Buffer {
  checkStatus(value.status);
  const writer = new Writer(name8Size(value.username, 'username') + str8Size(value.password, 'password') + 1 + optionalPermissionsSize(value.permissions));
  writer.name8(value.username, 'username').str8(value.password, 'password').u8(value.status);
  writeOptionalPermissions(writer, value.permissions);
  return writer.finish();
}

/** Trailing bytes are ignored (the Node SDK appends `01 00 00 00 00` after has_permissions = 0). */
export function decodeCreateUserRequest(payload: Buffer): CreateUserRequest {
  const reader = new Reader(payload);
  const username = reader.name8('username');
  const password = reader.str8('password');
  const status = readStatus(reader);
  const permissions = readOptionalPermissions(reader);
  return { username, password, status, permissions };
}

export function encodeCreateUserResponse(value: UserDetails): Buffer {
  return encodeUserDetails(value);
}

export function decodeCreateUserResponse(payload: Buffer): UserDetails {
  return readUserDetails(new Reader(payload));
}

// DeleteUser (34): [user:Id] → empty

export type DeleteUserRequest = UserIdRequest;

export function encodeDeleteUserRequest(value: DeleteUserRequest): Buffer {
  return encodeUserId(value);
}

export function decodeDeleteUserRequest(payload: Buffer): DeleteUserRequest {
  return decodeUserId(payload);
}

export function encodeDeleteUserResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeDeleteUserResponse(_payload: Buffer): undefined {
  return undefined;
}

// UpdateUser (35): [user:Id][has_username:u8]([username:Name8])[has_status:u8]([status:u8]) → empty

export interface UpdateUserRequest {
  readonly userId: Identifier;
  readonly username?: string | undefined;
  readonly status?: number | undefined;
}

export function encodeUpdateUserRequest(value: UpdateUserRequest): Buffer {
  if (value.status !== undefined) checkStatus(value.status);
  const size = identifierSize(value.userId) + 1 + (value.username === undefined ? 0 : name8Size(value.username, 'username')) + 1 + (value.status === undefined ? 0 : 1);
  const writer = new Writer(size).id(value.userId, 'user id');
  if (value.username === undefined) writer.u8(0);
  else writer.u8(1).name8(value.username, 'username');
  if (value.status === undefined) writer.u8(0);
  else writer.u8(1).u8(value.status);
  return writer.finish();
}

/** Presence flags must be exactly 1. */
export function decodeUpdateUserRequest(payload: Buffer): UpdateUserRequest {
  const reader = new Reader(payload);
  const userId = reader.id('user id');
  const username = reader.u8('has username') === 1 ? reader.name8('username') : undefined;
  const status = reader.u8('has status') === 1 ? readStatus(reader) : undefined;
  return { userId, username, status };
}

export function encodeUpdateUserResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeUpdateUserResponse(_payload: Buffer): undefined {
  return undefined;
}

// UpdatePermissions (36): [user:Id][has_permissions:u8]([perm_len:u32][blob]) → empty

export interface UpdatePermissionsRequest {
  readonly userId: Identifier;
  /** undefined clears the user's permissions. */
  readonly permissions?: Permissions | undefined;
}

export function encodeUpdatePermissionsRequest(value: UpdatePermissionsRequest): Buffer {
  const writer = new Writer(identifierSize(value.userId) + optionalPermissionsSize(value.permissions)).id(value.userId, 'user id');
  writeOptionalPermissions(writer, value.permissions);
  return writer.finish();
}

export function decodeUpdatePermissionsRequest(payload: Buffer): UpdatePermissionsRequest {
  const reader = new Reader(payload);
  const userId = reader.id('user id');
  const permissions = readOptionalPermissions(reader);
  return { userId, permissions };
}

export function encodeUpdatePermissionsResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeUpdatePermissionsResponse(_payload: Buffer): undefined {
  return undefined;
}

// ChangePassword (37): [user:Id][current_len:u8][current][new_len:u8][new] → empty

export interface ChangePasswordRequest {
  readonly userId: Identifier;
  readonly currentPassword: string;
  readonly newPassword: string;
}

export function encodeChangePasswordRequest(value: ChangePasswordRequest): Buffer {
  return new Writer(identifierSize(value.userId) + str8Size(value.currentPassword, 'current password') + str8Size(value.newPassword, 'new password'))
    .id(value.userId, 'user id')
    .str8(value.currentPassword, 'current password')
    .str8(value.newPassword, 'new password')
    .finish();
}

export function decodeChangePasswordRequest(payload: Buffer): ChangePasswordRequest {
  const reader = new Reader(payload);
  const userId = reader.id('user id');
  const currentPassword = reader.str8('current password');
  const newPassword = reader.str8('new password');
  return { userId, currentPassword, newPassword };
}

export function encodeChangePasswordResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeChangePasswordResponse(_payload: Buffer): undefined {
  return undefined;
}

// LoginUser (38): [username:Name8][password_len:u8][password][version:Str32][context:Str32] → [user_id:u32]

export interface LoginUserRequest {
  readonly username: string;
  readonly password: string;
  /** Client version; '' = none. Mandatory on the wire. */
  readonly version?: string | undefined;
  /** '' = none. Mandatory on the wire. */
  readonly context?: string | undefined;
}

export interface LoginUserResponse {
  readonly userId: number;
}

export function encodeLoginUserRequest(value: LoginUserRequest): Buffer {
  const version = value.version ?? '';
  const context = value.context ?? '';
  return new Writer(name8Size(value.username, 'username') + str8Size(value.password, 'password') + str32Size(version) + str32Size(context))
    .name8(value.username, 'username')
    .str8(value.password, 'password')
    .str32(version)
    .str32(context)
    .finish();
}

/** version_len and context_len are mandatory: a payload without them is truncated (3), as at 0.8. */
export function decodeLoginUserRequest(payload: Buffer): LoginUserRequest {
  const reader = new Reader(payload);
  const username = reader.name8('username');
  const password = reader.str8('password');
  const version = reader.str32('version');
  const context = reader.str32('context');
  return { username, password, version, context };
}

export function encodeLoginUserResponse(value: LoginUserResponse): Buffer {
  return new Writer(4).u32(value.userId, 'user id').finish();
}

export function decodeLoginUserResponse(payload: Buffer): LoginUserResponse {
  return { userId: new Reader(payload).u32('user id') };
}

// LogoutUser (39): empty → empty

export function encodeLogoutUserRequest(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeLogoutUserRequest(_payload: Buffer): undefined {
  return undefined;
}

export function encodeLogoutUserResponse(_value?: undefined): Buffer {
  return EMPTY_BUFFER;
}

export function decodeLogoutUserResponse(_payload: Buffer): undefined {
  return undefined;
}
