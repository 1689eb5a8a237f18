import { describe, expect, it } from 'vitest';
import { complete, tokenize } from './shell.js';

describe('shell line handling', () => {
  it('splits lines like a POSIX shell', () => {
    expect(tokenize(`message send dev sample "hello world" 'it''s' a\\ b ""`)).toEqual(['message', 'send', 'dev', 'sample', 'hello world', 'its', 'a b', '']);
    expect(tokenize('  stream   list  ')).toEqual(['stream', 'list']);
    expect(tokenize(`say "a \\"quoted\\" word"`)).toEqual(['say', 'a "quoted" word']);
    expect(() => tokenize('stream create "open')).toThrow('unterminated double quote');
  });

  it('completes families, commands, options and option values', () => {
    expect(complete('str')).toEqual([['stream '], 'str']);
    expect(complete('iggy str')).toEqual([['stream '], 'str']);
    expect(complete('p')).toEqual([['partition', 'pat', 'ping'], 'p']);
    expect(complete('stream ')[0]).toEqual(['create', 'delete', 'get', 'list', 'purge', 'update']);
    expect(complete('message poll dev t --par')).toEqual([['--partition-id '], '--par']);
    expect(complete('user create --gl')).toEqual([['--global '], '--gl']);
    expect(complete('stream list --output ')).toEqual([['json', 'raw', 'text'], '']);
    expect(complete('stream list --output j')).toEqual([['json '], 'j']);
    expect(complete('stream get ')).toEqual([[], '']);
  });
});
