/**
 * Messages and bytes sent to and polled from each topic, through every transport (HTTP, WebSocket
 * and QUIC requests reach the same SendMessages/PollMessages handlers as TCP). Read by /metrics.
 * Updated once per batch, never per message.
 */
export interface TopicTraffic {
  readonly streamId: number;
  readonly topicId: number;
  messagesSent: number;
  bytesSent: number;
  messagesPolled: number;
  bytesPolled: number;
}

export class TopicTrafficTable {
  private readonly byTopic = new Map<string, TopicTraffic>();

  private entry(streamId: number, topicId: number): TopicTraffic {
    const key = `${streamId}/${topicId}`;
    let traffic = this.byTopic.get(key);
    if (traffic === undefined) {
      traffic = { streamId, topicId, messagesSent: 0, bytesSent: 0, messagesPolled: 0, bytesPolled: 0 };
      this.byTopic.set(key, traffic);
    }
    return traffic;
  }

  noteSent(streamId: number, topicId: number, messagesCount: number, sizeBytes: number): void {
    const traffic = this.entry(streamId, topicId);
    traffic.messagesSent += messagesCount;
    traffic.bytesSent += sizeBytes;
  }

  notePolled(streamId: number, topicId: number, messagesCount: number, sizeBytes: number): void {
    if (messagesCount === 0) return;
    const traffic = this.entry(streamId, topicId);
    traffic.messagesPolled += messagesCount;
    traffic.bytesPolled += sizeBytes;
  }

  /** Entries of topics that still exist (`exists`); the others are forgotten. */
  live(exists: (streamId: number, topicId: number) => boolean): TopicTraffic[] {
    const result: TopicTraffic[] = [];
    for (const [key, traffic] of this.byTopic) {
      if (exists(traffic.streamId, traffic.topicId)) result.push(traffic);
      else this.byTopic.delete(key);
    }
    return result;
  }
}
