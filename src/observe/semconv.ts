/**
 * Why: the OpenTelemetry semantic-convention names our spans use, copied here instead of
 * depending on @opentelemetry/semantic-conventions (which churns its exports between releases and
 * would be one more runtime dependency for a dozen strings). Names follow the messaging
 * conventions (v1.27+: `messaging.operation.type`, `messaging.consumer.group.name`), plus a few
 * `sluice.*` attributes of our own for what the conventions have no name for.
 */

// Messaging (https://opentelemetry.io/docs/specs/semconv/messaging/messaging-spans/)
export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_MESSAGING_MESSAGE_CONVERSATION_ID = 'messaging.message.conversation_id';
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count';

/** Our value of `messaging.system`. */
export const MESSAGING_SYSTEM_SLUICE = 'sluice';

/** Values of `messaging.operation.type`. */
export const MESSAGING_OPERATION_TYPE = Object.freeze({
  create: 'create',
  send: 'send',
  receive: 'receive',
  process: 'process',
  settle: 'settle',
} as const);

// General
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_PEER_SERVICE = 'peer.service';

// Sluice's own
export const ATTR_SLUICE_PIPELINE = 'sluice.pipeline';
export const ATTR_SLUICE_RUN_ID = 'sluice.run_id';
export const ATTR_SLUICE_ATTEMPT = 'sluice.attempt';
export const ATTR_SLUICE_OUTCOME = 'sluice.outcome';
export const ATTR_SLUICE_SERVICE = 'sluice.service';
/** Why an item span links to its enqueue context instead of being its child: `retry` or `delayed`. */
export const ATTR_SLUICE_LINK_REASON = 'sluice.link.reason';
export const ATTR_SLUICE_QUEUE_AGE_MS = 'sluice.queue.age_ms';
