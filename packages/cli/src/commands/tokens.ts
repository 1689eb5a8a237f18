/** `iggy pat create|list|delete`: personal access tokens of the logged-in user. */
import { EXPIRY_NEVER } from '@iggy-ts/sdk';
import { formatTable, formatTimestampUs } from '../output.js';
import { parseDurationUs } from '../values.js';
import { type CommandSpec, done, print } from './command.js';

const NAME = { name: 'name', describe: 'Token name, 3..30 characters' } as const;

export const tokenCommands: readonly CommandSpec[] = [
  {
    path: ['pat', 'create'],
    describe: 'Create a personal access token (printed once)',
    positionals: [NAME],
    options: { expiry: { type: 'string', requiresArg: true, describe: "Lifetime: 1h, 30d, ... or 'never' (default)" } },
    examples: [['iggy pat create ci-token --expiry 30d', 'a token that expires in 30 days']],
    async run(context, args) {
      const name = args.string('name');
      const expiryText = args.optionalString('expiry');
      const expiry = expiryText === undefined ? 0n : parseDurationUs(expiryText, '--expiry');
      const { token } = await (await context.client()).createPersonalAccessToken({ name, expiry: expiry === EXPIRY_NEVER ? 0n : expiry });
      print(context, token, { name, token });
    },
  },
  {
    path: ['pat', 'list'],
    describe: "List the logged-in user's personal access tokens",
    async run(context) {
      const tokens = await (await context.client()).getPersonalAccessTokens();
      print(
        context,
        tokens.length === 0 ? 'no personal access tokens' : formatTable(['NAME', 'EXPIRES'], tokens.map((token) => [token.name, token.expiryAt === 0 ? 'never' : formatTimestampUs(token.expiryAt)])),
        tokens,
      );
    },
  },
  {
    path: ['pat', 'delete'],
    describe: 'Delete a personal access token',
    positionals: [NAME],
    async run(context, args) {
      const name = args.string('name');
      await (await context.client()).deletePersonalAccessToken({ name });
      done(context, `deleted personal access token '${name}'`);
    },
  },
];
