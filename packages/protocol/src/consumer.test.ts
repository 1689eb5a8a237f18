import { describe, expect, it } from 'vitest';
import { type Consumer, SINGLE_CONSUMER, consumerSize, readConsumer, readOptionalPartition, writeConsumer, writeOptionalPartition } from './consumer.js';
import { Reader, Writer } from './reader.js';
import { expectDecodeError, expectIggyError, expectTruncationsRejected, hex } from '../test/helpers.js';

function encodeConsumer(consumer: Consumer): Buffer {
  const writer = new Writer(consumerSize(consumer));
  writeConsumer(writer, consumer);
  return writer.finish();
}

describe('consumer', () => {
  it('encodes the single consumer and a named group', () => {
    expect(encodeConsumer(SINGLE_CONSUMER)).toEqual(hex('01 01 04 00 00 00 00'));
    expect(encodeConsumer({ kind: 2, id: 'g' })).toEqual(hex('02 02 01 67'));
  });

  it('round-trips and rejects every truncation', () => {
    const bytes = encodeConsumer({ kind: 2, id: 'group' });
    expect(readConsumer(new Reader(bytes))).toEqual({ kind: 2, id: 'group' });
    expectTruncationsRejected(bytes, (b) => readConsumer(new Reader(b)));
  });

  it('rejects unknown consumer kinds with 3 and refuses to encode them', () => {
    expectDecodeError(() => readConsumer(new Reader(hex('03 01 04 00 00 00 00'))), 3);
    expectIggyError(() => encodeConsumer({ kind: 3 as 1, id: 0 }), 4);
  });
});

describe('optional partition', () => {
  it('is always five bytes and present only when the flag is exactly 1', () => {
    const writer = new Writer(10);
    writeOptionalPartition(writer, undefined);
    writeOptionalPartition(writer, 7);
    expect(writer.finish()).toEqual(hex('00 00000000 01 07000000'));
    expect(readOptionalPartition(new Reader(hex('01 07000000')))).toBe(7);
    expect(readOptionalPartition(new Reader(hex('02 07000000')))).toBeUndefined();
    expectTruncationsRejected(hex('01 07000000'), (b) => readOptionalPartition(new Reader(b)));
  });
});
