import type { Analysis } from '../analysis/analysis.js';
import type { HeaderFailure, ProviderInspection } from '../analysis/provider-inspection.js';
import type { ProviderPackage } from '../analysis/provider-packages.js';
import type { Stack } from '../analysis/terramate.js';
import type { HandshakeFailure } from '../providers/handshake.js';
import type { Location } from '../types.js';
import { displayPath } from '../util/path.js';
import { createRule, type RuleMessage, type RuleReport } from './framework/create-rule.js';
import { AFFECTED_MESSAGES, affectedDetails, providerLabel } from './providers/affected.js';
import { quarantineFix, reinitCommands, subjectOf } from './providers/quarantine.js';

// Terraform meets a provider that does not start while instantiating it for its schema.
const INSTANTIATE = 'Terraform would fail with: failed to instantiate provider "{{provider}}" to obtain schema:';

const messages = {
  timeout: `{{label}} does not start: no handshake line within {{timeoutMs}} ms (timeout). ${INSTANTIATE} {{pluginError}}.`,
  killed: `{{label}} does not start: killed by {{signal}} before printing a handshake line. ${INSTANTIATE} {{pluginError}}.`,
  exited: `{{label}} does not start: exited with code {{exitCode}} without printing a handshake line. ${INSTANTIATE} {{pluginError}}.`,
  'no-line': `{{label}} does not start: exited with code 0 without printing a handshake line (no line). ${INSTANTIATE} {{pluginError}}.`,
  'closed-stdout': `{{label}} does not start: closed its stdout without printing a handshake line (no line). ${INSTANTIATE} \
{{pluginError}}.`,
  'unrecognized-line': `{{label}} does not start: printed {{line}} instead of a go-plugin handshake line (unrecognized line). \
${INSTANTIATE} {{pluginError}}.`,
  'cannot-execute': `{{label}} does not start: the kernel cannot execute it on this machine (ENOEXEC). ${INSTANTIATE} {{pluginError}}.`,
  'permission-denied': `{{label}} does not start: permission denied when starting it (EACCES). ${INSTANTIATE} {{pluginError}}.`,
  'text-file-busy': `{{label}} does not start: the file is still open for writing (ETXTBSY: text file busy). ${INSTANTIATE} \
{{pluginError}}.`,
  'spawn-failed': `{{label}} does not start: it could not be started ({{errno}}). ${INSTANTIATE} {{pluginError}}.`,
  'executable-missing': `{{label}} does not start: the executable is missing: {{detail}} (ENOENT). ${INSTANTIATE} fork/exec \
{{executable}}: no such file or directory.`,
  'executable-unusable': `{{label}} does not start: the executable is {{detail}}. ${INSTANTIATE} fork/exec {{executable}}: \
permission denied.`,
  'executable-not-executable': `{{label}} does not start: the executable is {{detail}} (EACCES). ${INSTANTIATE} fork/exec \
{{executable}}: permission denied.`,
  'executable-format': `{{label}} does not start: {{detail}} (ENOEXEC). ${INSTANTIATE} fork/exec {{executable}}: exec format error.`,
  stderr: 'Its stderr said: {{stderr}}.',
  package: 'Package {{packageDir}}.',
  'no-executable': `{{label}} has no executable: no file named {{expected}} in {{packageDir}}. Terraform would fail with: could \
not find executable file starting with terraform-provider-{{type}}.`,
  'dangling-link': `provider link {{link}} points to missing {{target}}. Terraform would fail with: there is no package for \
{{provider}} {{version}} cached in .terraform/providers. Quarantine the link with --fix --unsafe-fixes, then re-initialise the \
stack: {{command}}.`,
  ...AFFECTED_MESSAGES,
} as const;

type Report = RuleReport<typeof messages>;
type Message = RuleMessage<typeof messages>;

const STDERR_SHOWN = 200;

export const providerHandshake = createRule({
  id: 'provider-handshake',
  severity: 'error',
  fixable: true,
  summary: 'An installed provider does not start (go-plugin handshake), or its executable is missing or unusable.',
  messages,
  async check({ analysis, options, progress }) {
    const inspection = await analysis.providerInspection(progress);
    const reports: Report[] = [];
    for (const inspected of inspection.packages) {
      const found = inspected.package;
      const verdict = inspected.executable;
      let failure: Message[] | null = null;
      if (verdict.kind === 'no-executable' && found.executable === null) {
        failure = [{ messageId: 'no-executable', data: { label: providerLabel(found), expected: found.expectedExecutable, packageDir: found.packageDir, type: found.address.type } }];
      } else if (verdict.kind === 'bad-header') {
        failure = [headerFailure(found, verdict.header), { messageId: 'package', data: { packageDir: found.packageDir } }];
      } else if (verdict.kind === 'started' && !verdict.result.ok) {
        failure = [...handshakeFailure(found, verdict.result, options.handshakeTimeoutMs), { messageId: 'package', data: { packageDir: found.packageDir } }];
      }
      if (!failure) continue;
      const [message, ...rest] = failure;
      reports.push({
        ...message,
        details: [...rest, ...affectedDetails(analysis, inspected)],
        ...(await placeOf(analysis, inspected.stacks, found.source)),
        fix: quarantineFix(analysis, inspection, subjectOf(found)),
      });
    }
    reports.push(...danglingLinkReports(analysis, inspection));
    return reports;
  },
});

function headerFailure(found: ProviderPackage, header: HeaderFailure): Message {
  const data = { label: providerLabel(found), provider: found.source, detail: header.detail, executable: found.executable?.path ?? found.packageDir };
  switch (header.code) {
    case 'missing':
      return { messageId: 'executable-missing', data };
    case 'not-regular':
      return { messageId: 'executable-unusable', data };
    case 'not-executable':
      return { messageId: 'executable-not-executable', data };
    case 'empty':
    case 'bad-header':
    case 'wrong-arch':
      return { messageId: 'executable-format', data };
  }
}

/** The cause as its own message, then what the provider wrote on stderr, if anything. */
function handshakeFailure(found: ProviderPackage, failure: HandshakeFailure, timeoutMs: number): Message[] {
  const common = { label: providerLabel(found), provider: found.source, pluginError: oneLine(failure.terraformWouldSay) };
  const stderrLine = failure.stderrTail
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text !== '');
  const stderr: Message[] = stderrLine && failure.cause !== 'timeout' && failure.cause !== 'unrecognized-line' && failure.cause !== 'spawn-error'
    ? [{ messageId: 'stderr', data: { stderr: JSON.stringify(truncate(stderrLine, STDERR_SHOWN)) } }]
    : [];
  switch (failure.cause) {
    case 'timeout':
      return [{ messageId: 'timeout', data: { ...common, timeoutMs } }];
    case 'signal':
      return [{ messageId: 'killed', data: { ...common, signal: failure.signal ?? 'a signal' } }, ...stderr];
    case 'exit':
      return [{ messageId: 'exited', data: { ...common, exitCode: failure.exitCode ?? '?' } }, ...stderr];
    case 'no-line':
      return [{ messageId: failure.exitCode === 0 ? 'no-line' : 'closed-stdout', data: common }, ...stderr];
    case 'unrecognized-line':
      return [{ messageId: 'unrecognized-line', data: { ...common, line: JSON.stringify(truncate(failure.line ?? '', STDERR_SHOWN)) } }];
    case 'spawn-error':
      return [spawnFailure(failure.errno ?? 'UNKNOWN', common)];
  }
}

function spawnFailure(errno: string, common: { label: string; provider: string; pluginError: string }): Message {
  if (errno === 'ENOEXEC') return { messageId: 'cannot-execute', data: common };
  if (errno === 'EACCES') return { messageId: 'permission-denied', data: common };
  if (errno === 'ETXTBSY') return { messageId: 'text-file-busy', data: common };
  return { messageId: 'spawn-failed', data: { ...common, errno } };
}

function danglingLinkReports(analysis: Analysis, inspection: ProviderInspection): Report[] {
  return inspection.danglingLinks.map(({ problem, stack, lock }) => ({
    messageId: 'dangling-link',
    data: {
      link: displayPath(analysis.root, problem.linkPath),
      target: problem.linkTarget,
      provider: problem.source,
      version: problem.version,
      command: reinitCommands(analysis, [stack.dir])[0],
    },
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
