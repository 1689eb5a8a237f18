/** Consumer groups (reference 4.10, 10). Membership belongs to the connection. */
import {
  CommandCode,
  decodeCreateConsumerGroupRequest,
  decodeDeleteConsumerGroupRequest,
  decodeGetConsumerGroupRequest,
  decodeGetConsumerGroupsRequest,
  decodeJoinConsumerGroupRequest,
  decodeLeaveConsumerGroupRequest,
  encodeCreateConsumerGroupResponse,
  encodeGetConsumerGroupResponse,
  encodeGetConsumerGroupsResponse,
} from '@iggy-ts/protocol';
import { canReadTopic, ensurePermitted } from '../../metadata/permissions.js';
import type { Topic } from '../../metadata/model.js';
import { command, type Command } from '../command.js';
import type { Context } from '../context.js';
import { consumerGroupDetails, consumerGroupInfo } from '../views.js';
import { permissionsOf } from './auth.js';
import { forgetJoinedGroups } from './streams.js';

function requireTopicReader(context: Context, topic: Topic): void {
  ensurePermitted(canReadTopic(permissionsOf(context), topic.streamId, topic.id));
}

export const consumerGroupCommands: Command<unknown>[] = [
  command(CommandCode.GetConsumerGroup, decodeGetConsumerGroupRequest, (context, request) => {
    const topic = context.state.metadata.getTopic(request.streamId, request.topicId);
    if (topic === undefined) return undefined;
    const group = context.state.metadata.getConsumerGroup(topic.streamId, topic.id, request.groupId);
    if (group === undefined) return undefined;
    requireTopicReader(context, topic);
    return encodeGetConsumerGroupResponse(consumerGroupDetails(group, topic));
  }),
  command(CommandCode.GetConsumerGroups, decodeGetConsumerGroupsRequest, (context, request) => {
    const topic = context.state.metadata.getTopic(request.streamId, request.topicId);
    if (topic === undefined) return undefined;
    requireTopicReader(context, topic);
    const groups = [...topic.consumerGroups.values()].sort((a, b) => a.id - b.id);
    return encodeGetConsumerGroupsResponse(groups.map((group) => consumerGroupInfo(group, topic)));
  }),
  command(CommandCode.CreateConsumerGroup, decodeCreateConsumerGroupRequest, (context, request) => {
    const topic = context.state.metadata.requireTopic(request.streamId, request.topicId);
    requireTopicReader(context, topic);
    const group = context.state.metadata.createConsumerGroup(topic.streamId, topic.id, request.name);
    return encodeCreateConsumerGroupResponse(consumerGroupDetails(group, topic));
  }),
  command(CommandCode.DeleteConsumerGroup, decodeDeleteConsumerGroupRequest, async (context, request) => {
    const { state } = context;
    const topic = state.metadata.requireTopic(request.streamId, request.topicId);
    requireTopicReader(context, topic);
    const group = state.metadata.deleteConsumerGroup(topic.streamId, topic.id, request.groupId);
    forgetJoinedGroups(context, topic.streamId, topic.id, group.id);
    await Promise.all(
      topic.partitions.map(({ id: partitionId }) =>
        state.shards.forPartition({ op: 'deleteGroupOffsets', partition: { streamId: topic.streamId, topicId: topic.id, partitionId }, groupId: group.id }),
      ),
    );
    return undefined;
  }),
  command(CommandCode.JoinConsumerGroup, decodeJoinConsumerGroupRequest, (context, request) => {
    const topic = context.state.metadata.requireTopic(request.streamId, request.topicId);
    requireTopicReader(context, topic);
    const group = context.state.metadata.joinConsumerGroup(topic.streamId, topic.id, request.groupId, context.session.clientId);
    const joined = context.session.joinedGroups;
    if (!joined.some((entry) => entry.streamId === topic.streamId && entry.topicId === topic.id && entry.groupId === group.id)) {
      joined.push({ streamId: topic.streamId, topicId: topic.id, groupId: group.id });
    }
    return undefined;
  }),
  command(CommandCode.LeaveConsumerGroup, decodeLeaveConsumerGroupRequest, (context, request) => {
    const topic = context.state.metadata.requireTopic(request.streamId, request.topicId);
    requireTopicReader(context, topic);
    const group = context.state.metadata.leaveConsumerGroup(topic.streamId, topic.id, request.groupId, context.session.clientId);
    const joined = context.session.joinedGroups;
    const index = joined.findIndex((entry) => entry.streamId === topic.streamId && entry.topicId === topic.id && entry.groupId === group.id);
    if (index >= 0) joined.splice(index, 1);
    return undefined;
  }),
];
