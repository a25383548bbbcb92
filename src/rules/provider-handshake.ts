import type { Analysis } from '../analysis/analysis.js';
import type { HeaderFailure, ProviderInspection } from '../analysis/provider-inspection.js';
import type { ProviderPackage } from '../analysis/provider-packages.js';
import type { Stack } from '../analysis/terramate.js';
import type { HandshakeFailure } from '../providers/handshake.js';
import type { Location } from '../types.js';
import { displayPath } from '../util/path.js';
import { createRule, type RuleMessage, type RuleReport } from './framework/create-rule.js';
import { AFFECTED_MESSAGES, affectedDetails, providerLabel } from './providers/affected.js';
import { quarantineFix, reinitCommand, subjectOf } from './providers/quarantine.js';

const messages = {
  timeout: '{{label}} does not start: no handshake line within {{timeoutMs}} ms',
  killed: '{{label}} does not start: killed by {{signal}} before its handshake line',
  exited: '{{label}} does not start: exited with code {{exitCode}} before its handshake line',
  'no-line': '{{label}} does not start: it exits 0 without a handshake line',
  'closed-stdout': '{{label}} does not start: it closes stdout without a handshake line',
  'unrecognized-line': '{{label}} does not start: its first line is no go-plugin handshake',
  'cannot-execute': '{{label}} does not start: the kernel cannot execute it (ENOEXEC)',
  'permission-denied': '{{label}} does not start: permission denied (EACCES)',
  'text-file-busy': '{{label}} does not start: its file is still open for writing (ETXTBSY)',
  'spawn-failed': '{{label}} does not start ({{errno}})',
  'executable-missing': '{{label}}: the executable is missing (ENOENT)',
  'executable-unusable': '{{label}}: the executable is not a regular file',
  'executable-not-executable': '{{label}}: the executable lacks the execute permission (EACCES)',
  'executable-format': '{{label}}: the executable is no program for its platform (ENOEXEC)',
  'no-executable': '{{label}} has no terraform-provider-{{type}} executable',
  'dangling-link': "A stack's link to {{provider}} {{version}} points to a package that does not exist",
} as const;

const help = {
  'unrecognized-detail': 'It printed {{line}} instead of `1|PROTOCOL|unix|ADDRESS|grpc|`.',
  'header-detail': 'Its header: {{detail}}.',
  stderr: 'Its stderr said: {{stderr}}.',
  'terraform-instantiate': 'Terraform would fail with: failed to instantiate provider "{{provider}}" to obtain schema: {{pluginError}}.',
  'terraform-exec': 'Terraform would fail with: failed to instantiate provider "{{provider}}" to obtain schema: fork/exec {{executable}}: {{execError}}.',
  'no-executable-detail': 'No file named {{expected}} in {{packageDir}}. Terraform would fail with: could not find executable file starting with terraform-provider-{{type}}.',
  'dangling-detail': '{{link}} points to missing {{target}}. Terraform would fail with: there is no package for {{provider}} {{version}} cached in .terraform/providers.',
  'dangling-remedy': 'Quarantine the link with --fix --unsafe-fixes, then re-initialise the stack: {{command}}.',
  package: 'Package {{packageDir}}.',
  ...AFFECTED_MESSAGES,
} as const;

type Report = RuleReport<typeof messages, typeof help>;
type Message = RuleMessage<typeof messages>;
type Help = RuleMessage<typeof help>;

/** What Go's exec reports for each header failure, as Terraform shows it. */
const EXEC_ERROR: Record<HeaderFailure['code'], string> = {
  missing: 'no such file or directory',
  'not-regular': 'permission denied',
  'not-executable': 'permission denied',
  empty: 'exec format error',
  'bad-header': 'exec format error',
  'wrong-arch': 'exec format error',
};

const STDERR_SHOWN = 200;

export const providerHandshake = createRule({
  id: 'provider-handshake',
  severity: 'error',
  fixable: true,
  summary: 'An installed provider does not start (go-plugin handshake), or its executable is missing or unusable.',
  messages,
  help,
  async check({ analysis, options, progress }) {
    const inspection = await analysis.providerInspection(progress);
    const reports: Report[] = [];
    for (const inspected of inspection.packages) {
      const found = inspected.package;
      const verdict = inspected.executable;
      let failure: { message: Message; help: Help[] } | null = null;
      const label = providerLabel(found);
      const packageDir: Help = { messageId: 'package', data: { packageDir: found.packageDir } };
      if (verdict.kind === 'no-executable' && found.executable === null) {
        failure = {
          message: { messageId: 'no-executable', data: { label, type: found.address.type } },
          help: [{ messageId: 'no-executable-detail', data: { expected: found.expectedExecutable, packageDir: found.packageDir, type: found.address.type } }],
        };
      } else if (verdict.kind === 'bad-header') {
        failure = headerFailure(found, verdict.header);
        failure.help.push(packageDir);
      } else if (verdict.kind === 'started' && !verdict.result.ok) {
        failure = handshakeFailure(found, verdict.result, options.handshakeTimeoutMs);
        failure.help.push(packageDir);
      }
      if (!failure) continue;
      reports.push({
        ...failure.message,
        help: [...failure.help, ...affectedDetails(analysis, inspected)],
        ...(await placeOf(analysis, inspected.stacks, found.source)),
        fix: quarantineFix(analysis, inspection, subjectOf(found)),
      });
    }
    reports.push(...danglingLinkReports(analysis, inspection));
    return reports;
  },
});

function headerFailure(found: ProviderPackage, header: HeaderFailure): { message: Message; help: Help[] } {
  const label = providerLabel(found);
  const help: Help[] = [
    { messageId: 'header-detail', data: { detail: header.detail } },
    { messageId: 'terraform-exec', data: { provider: found.source, executable: found.executable?.path ?? found.packageDir, execError: EXEC_ERROR[header.code] } },
  ];
  switch (header.code) {
    case 'missing':
      return { message: { messageId: 'executable-missing', data: { label } }, help };
    case 'not-regular':
      return { message: { messageId: 'executable-unusable', data: { label } }, help };
    case 'not-executable':
      return { message: { messageId: 'executable-not-executable', data: { label } }, help };
    case 'empty':
    case 'bad-header':
    case 'wrong-arch':
      return { message: { messageId: 'executable-format', data: { label } }, help };
  }
}

/** The cause as the message; what the provider wrote and what Terraform would say as help. */
function handshakeFailure(found: ProviderPackage, failure: HandshakeFailure, timeoutMs: number): { message: Message; help: Help[] } {
  const label = providerLabel(found);
  const terraform: Help = { messageId: 'terraform-instantiate', data: { provider: found.source, pluginError: oneLine(failure.terraformWouldSay) } };
  const stderrLine = failure.stderrTail
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text !== '');
  const stderr: Help[] = stderrLine && failure.cause !== 'timeout' && failure.cause !== 'unrecognized-line' && failure.cause !== 'spawn-error'
    ? [{ messageId: 'stderr', data: { stderr: JSON.stringify(truncate(stderrLine, STDERR_SHOWN)) } }]
    : [];
  switch (failure.cause) {
    case 'timeout':
      return { message: { messageId: 'timeout', data: { label, timeoutMs } }, help: [terraform] };
    case 'signal':
      return { message: { messageId: 'killed', data: { label, signal: failure.signal ?? 'a signal' } }, help: [...stderr, terraform] };
    case 'exit':
      return { message: { messageId: 'exited', data: { label, exitCode: failure.exitCode ?? '?' } }, help: [...stderr, terraform] };
    case 'no-line':
      return { message: { messageId: failure.exitCode === 0 ? 'no-line' : 'closed-stdout', data: { label } }, help: [...stderr, terraform] };
    case 'unrecognized-line':
      return {
        message: { messageId: 'unrecognized-line', data: { label } },
        help: [{ messageId: 'unrecognized-detail', data: { line: JSON.stringify(truncate(failure.line ?? '', STDERR_SHOWN)) } }, terraform],
      };
    case 'spawn-error':
      return { message: spawnFailure(failure.errno ?? 'UNKNOWN', label), help: [terraform] };
  }
}

function spawnFailure(errno: string, label: string): Message {
  if (errno === 'ENOEXEC') return { messageId: 'cannot-execute', data: { label } };
  if (errno === 'EACCES') return { messageId: 'permission-denied', data: { label } };
  if (errno === 'ETXTBSY') return { messageId: 'text-file-busy', data: { label } };
  return { messageId: 'spawn-failed', data: { label, errno } };
}

function danglingLinkReports(analysis: Analysis, inspection: ProviderInspection): Report[] {
  return inspection.danglingLinks.map(({ problem, stack, lock }) => ({
    messageId: 'dangling-link',
    data: { provider: problem.source, version: problem.version },
    help: [
      {
        messageId: 'dangling-detail',
        data: { link: displayPath(analysis.root, problem.linkPath), target: problem.linkTarget, provider: problem.source, version: problem.version },
      },
      { messageId: 'dangling-remedy', data: { command: reinitCommand(analysis, stack.dir) } },
    ],
    location: lock,
    stack: stack.dir,
    fix: quarantineFix(analysis, inspection, {
      packageDir: null,
      source: problem.source,
      version: problem.version,
      platform: problem.platform,
      links: [{ stack: stack.dir, linkPath: problem.linkPath }],
    }),
  }));
}

/** The first using stack's lock entry for the provider, else no place but the stack. */
async function placeOf(analysis: Analysis, stacks: readonly Stack[], source: string): Promise<{ location: Location | null; stack: string | null }> {
  for (const stack of stacks) {
    const lock = await analysis.lockFile(stack.dir);
    const entry = lock?.providers.find((provider) => provider.address.toLowerCase() === source.toLowerCase());
    if (lock && entry) return { location: { file: lock.file, range: entry.range }, stack: stack.dir };
  }
  return { location: null, stack: stacks[0]?.dir ?? null };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function truncate(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}
