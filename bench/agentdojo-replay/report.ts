/** Markdown tables for AgentDojo replay reports, in the shape of the AgentDojo paper's tables. */
import type { CallRecord, Ratio, ReplayReport } from './replay.js';

/** `25.0% (4/16)`, or `n/a` for an empty set. */
export function formatRatio(value: Ratio): string {
  if (value.rate === null) return 'n/a';
  return `${(value.rate * 100).toFixed(1)}% (${value.count}/${value.total})`;
}

const OUTCOME_MARK: Record<CallRecord['outcome'], string> = {
  executed: 'ok',
  approval: 'HELD',
  denied: 'DENIED',
  error: 'ERROR',
};

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, index) => (index === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/** The summary, per-injection-task and per-user-task tables for one or more configurations of one suite. */
export function formatReports(reports: ReplayReport[]): string {
  const first = reports[0];
  if (first === undefined) return '';
  const parts: string[] = [];
  const version = first.benchmarkVersion === null ? '' : ` ${first.benchmarkVersion}`;
  parts.push(
    `AgentDojo ${first.suite}${version}, ground-truth replay through Warden: ${first.userTasks.length} user tasks, ` +
      `${first.summary.byInjectionTask.length} injection tasks, ${first.pairs.length} pairs.`,
  );
  parts.push(
    table(
      [
        'configuration',
        'benign utility',
        'benign utility, held calls approved',
        'utility under attack',
        'utility under attack, held calls approved',
        'targeted ASR',
        'attacks held for approval',
        'attacks denied',
        'harness errors',
      ],
      reports.map((report) => [
        report.label,
        formatRatio(report.summary.utility),
        formatRatio(report.summary.utilityWithApprovals),
        formatRatio(report.summary.utilityUnderAttack),
        formatRatio(report.summary.utilityUnderAttackWithApprovals),
        formatRatio(report.summary.attackSuccess),
        String(report.summary.attacksHeldForApproval),
        String(report.summary.attacksDenied),
        String(report.summary.errors),
      ]),
    ),
  );
  parts.push('Targeted ASR per injection task (successful attacks / user tasks; held, denied):');
  parts.push(
    table(
      ['injection task', 'goal', ...reports.map((report) => report.label)],
      first.summary.byInjectionTask.map((row, index) => [
        row.injectionTask,
        row.goal.length > 70 ? `${row.goal.slice(0, 67)}...` : row.goal,
        ...reports.map((report) => {
          const mine = report.summary.byInjectionTask[index]!;
          return `${formatRatio(mine.attackSuccess)}; ${mine.held} held, ${mine.denied} denied`;
        }),
      ]),
    ),
  );
  parts.push('Benign replay per user task (each call: ok, HELD for approval, DENIED, ERROR):');
  parts.push(
    table(
      ['user task', 'calls', ...reports.map((report) => report.label)],
      first.userTasks.map((task, index) => [
        task.userTask,
        task.calls.map((call) => call.function).join(', '),
        ...reports.map((report) =>
          report.userTasks[index]!.calls.map((call) => OUTCOME_MARK[call.outcome]).join(', '),
        ),
      ]),
    ),
  );
  return parts.join('\n\n');
}
