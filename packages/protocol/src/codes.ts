/**
 * Command codes of the Iggy 0.8 classic TCP protocol (reference 3.3). Every code present at the tag;
 * anything else is answered with status 3 (InvalidCommand). There are no codes 400/401, 500–502, 606+.
 */

/** Wire command codes by command name. */
export const CommandCode = {
  Ping: 1,
  GetStats: 10,
  GetSnapshot: 11,
  GetClusterMetadata: 12,
  GetMe: 20,
  GetClient: 21,
  GetClients: 22,
  GetUser: 31,
  GetUsers: 32,
  CreateUser: 33,
  DeleteUser: 34,
  UpdateUser: 35,
  UpdatePermissions: 36,
  ChangePassword: 37,
  LoginUser: 38,
  LogoutUser: 39,
  GetPersonalAccessTokens: 41,
  CreatePersonalAccessToken: 42,
  DeletePersonalAccessToken: 43,
  LoginWithPersonalAccessToken: 44,
  PollMessages: 100,
  SendMessages: 101,
  FlushUnsavedBuffer: 102,
  GetConsumerOffset: 120,
  StoreConsumerOffset: 121,
  DeleteConsumerOffset: 122,
  GetStream: 200,
  GetStreams: 201,
  CreateStream: 202,
  DeleteStream: 203,
  UpdateStream: 204,
  PurgeStream: 205,
  GetTopic: 300,
  GetTopics: 301,
  CreateTopic: 302,
  DeleteTopic: 303,
  UpdateTopic: 304,
  PurgeTopic: 305,
  CreatePartitions: 402,
  DeletePartitions: 403,
  DeleteSegments: 503,
  GetConsumerGroup: 600,
  GetConsumerGroups: 601,
  CreateConsumerGroup: 602,
  DeleteConsumerGroup: 603,
  JoinConsumerGroup: 604,
  LeaveConsumerGroup: 605,
} as const;

export type CommandName = keyof typeof CommandCode;
export type CommandCodeValue = (typeof CommandCode)[CommandName];

const NAME_BY_CODE = new Map<number, CommandName>(
  (Object.entries(CommandCode) as [CommandName, number][]).map(([name, code]) => [code, name]),
);

/** Commands that may run before login (reference 3.2). */
export const UNAUTHENTICATED_COMMANDS: ReadonlySet<number> = new Set([
  CommandCode.Ping,
  CommandCode.LoginUser,
  CommandCode.LoginWithPersonalAccessToken,
]);

/** The command's name, or undefined for a code not defined at 0.8. */
export function commandName(code: number): CommandName | undefined {
  return NAME_BY_CODE.get(code);
}

/** True when `code` is a command of the 0.8 protocol. */
export function isKnownCommand(code: number): boolean {
  return NAME_BY_CODE.has(code);
}
