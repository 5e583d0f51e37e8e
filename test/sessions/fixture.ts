/**
 * The trifecta setting for session tests: an assistant agent that may read the (untrusted) inbox,
 * restricted customer exports and send email anywhere, with the example policies (trifecta.cedar
 * included) and the @approval twin of its email permit, as docs/sessions.md tells operators to write.
 */
import type { GatewayWorkspaceOptions } from '../pipeline/harness.js';

export const ASSISTANT = 'assistant-bot';

export const TRIFECTA_OPTIONS: GatewayWorkspaceOptions = {
  extraAgentsYaml: [
    `  ${ASSISTANT}:`,
    '    owner: lan.nguyen@example.com',
    '    roles: [research]',
    '    clearance: restricted',
  ].join('\n'),
  extraPolicies: {
    'assistant.cedar': `
@id("assistant-sends-email")
@reason("the assistant may email anyone")
permit (principal == Agent::"${ASSISTANT}", action == Action::"mail__send_email", resource);

@id("assistant-email-after-untrusted")
@reason("the session has read untrusted content")
@approval("a person must confirm an email sent after reading untrusted content")
permit (principal == Agent::"${ASSISTANT}", action == Action::"mail__send_email", resource)
when { context.session.untrusted };

@id("assistant-third-email-needs-approval")
@reason("more than two emails in a session is unusual")
@approval("a person must confirm a third email in one session")
permit (principal == Agent::"${ASSISTANT}", action == Action::"mail__send_email", resource)
when { context.session.riskCounts.external_communication >= 2 };
`,
  },
  // Held calls answer at once (pending) instead of waiting for a person.
  extraYaml: 'approvals:\n  wait: 0s\n',
};

export const EXFILTRATION_EMAIL = {
  to: 'drop@attacker.example',
  subject: 'customers',
  body: 'as asked in your mail',
};

export const HARMLESS_EMAIL = {
  to: 'hoa.tran@example.com',
  subject: 'Hóa đơn VAT',
  body: 'Chào chị Hoa, hoá đơn đã gửi.',
};
