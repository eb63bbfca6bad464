import type { FailureCategory } from '../../errors/index.js';
import type { ItemState } from '../item-state.js';
import { fromJson } from '../json.js';
import type {
  DeadLetterRecord,
  ItemRecord,
  RetryRecord,
  RunRecord,
  RunStatus,
} from '../records.js';

/**
 * Rows as the store's pools return them (BIGINT as numbers, JSONB as text: see pool.ts), and
 * their mapping to the contract's records: the same shapes as SQLite's rows.ts but `degraded`,
 * which is a boolean here.
 */

export interface RunRow {
  id: string;
  pipeline: string;
  pipeline_version: string;
  status: RunStatus;
  options: string;
  summary: string | null;
  created_at: number;
  updated_at: number;
}

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    pipeline: row.pipeline,
    pipelineVersion: row.pipeline_version,
    status: row.status,
    options: fromJson(row.options),
    summary: fromJson(row.summary),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface ItemRowFull {
  seq: number;
  run_id: string;
  stage: string;
  id: string;
  parent_stage: string | null;
  parent_id: string | null;
  state: ItemState;
  priority: number;
  available_at: number;
  attempts: number;
  lease_owner: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  input: string;
  output: string | null;
  checkpoint: string | null;
  last_error: string | null;
  last_category: FailureCategory | null;
  skip_reason: string | null;
  degraded: boolean;
  trace_context: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
}

export function toItemRecord(row: ItemRowFull): ItemRecord {
  return {
    runId: row.run_id,
    stage: row.stage,
    id: row.id,
    parentStage: row.parent_stage,
    parentId: row.parent_id,
    state: row.state,
    priority: row.priority,
    availableAt: row.available_at,
    attempts: row.attempts,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    input: fromJson(row.input),
    output: fromJson(row.output),
    checkpoint: fromJson(row.checkpoint),
    lastError: row.last_error,
    lastCategory: row.last_category,
    skipReason: row.skip_reason,
    degraded: row.degraded,
    traceContext: row.trace_context,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  };
}

export interface RetryRow {
  run_id: string;
  stage: string;
  item_id: string;
  attempt: number;
  category: FailureCategory;
  error: string;
  delay_ms: number;
  at: number;
}

export function toRetryRecord(row: RetryRow): RetryRecord {
  return {
    runId: row.run_id,
    stage: row.stage,
    id: row.item_id,
    attempt: row.attempt,
    category: row.category,
    error: row.error,
    delayMs: row.delay_ms,
    at: row.at,
  };
}

export interface DeadLetterRow {
  seq: number;
  run_id: string;
  stage: string;
  item_id: string;
  attempt: number;
  category: FailureCategory;
  error: string;
  at: number;
  retried_at: number | null;
}

export function toDeadLetterRecord(row: DeadLetterRow): DeadLetterRecord {
  return {
    runId: row.run_id,
    stage: row.stage,
    id: row.item_id,
    attempt: row.attempt,
    category: row.category,
    error: row.error,
    at: row.at,
    retriedAt: row.retried_at,
  };
}
