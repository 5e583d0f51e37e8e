/** Human-in-the-loop approvals: the service that holds calls for a person's decision, its webhooks, and its contract. */
export { ApprovalService, approvalView } from './service.js';
export type { ApprovalLogger, ApprovalServiceOptions } from './service.js';
export { WebhookNotifier, WEBHOOK_HEADERS, signWebhook, verifyWebhookSignature } from './webhooks.js';
export type {
  AlertNotice,
  VerifyWebhookSignatureOptions,
  WebhookConfig,
  WebhookNotifierOptions,
} from './webhooks.js';
export type {
  ApprovalLookup,
  ApprovalNotice,
  ApprovalNotifier,
  ApprovalRequirement,
  ApprovalView,
  Decider,
  ExecutionClaim,
  NewApprovalRequest,
  RecentCall,
} from './types.js';
export type { ApprovalQuery, ApprovalRecord, ApprovalStatus, ApprovalVote } from '../store/index.js';
