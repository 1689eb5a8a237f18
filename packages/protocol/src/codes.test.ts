import { describe, expect, it } from 'vitest';
import { CommandCode, UNAUTHENTICATED_COMMANDS, commandName, isKnownCommand } from './codes.js';

describe('command codes', () => {
  it('lists the 47 commands of the 0.8 protocol with unique codes', () => {
    const codes = Object.values(CommandCode);
    expect(codes).toHaveLength(47);
    expect(new Set(codes).size).toBe(47);
    expect(CommandCode.Ping).toBe(1);
    expect(CommandCode.SendMessages).toBe(101);
    expect(CommandCode.LeaveConsumerGroup).toBe(605);
  });

  it('names known codes and rejects codes not defined at 0.8', () => {
    expect(commandName(200)).toBe('GetStream');
    expect(commandName(44)).toBe('LoginWithPersonalAccessToken');
    for (const code of [0, 2, 40, 400, 401, 500, 502, 606]) {
      expect(isKnownCommand(code)).toBe(false);
      expect(commandName(code)).toBeUndefined();
    }
    expect(isKnownCommand(503)).toBe(true);
  });

  it('allows only ping and the two logins before authentication', () => {
    expect([...UNAUTHENTICATED_COMMANDS].sort((a, b) => a - b)).toEqual([1, 38, 44]);
  });
});
