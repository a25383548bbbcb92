import { describe, expect, it } from '@jest/globals';
import { githubReporter } from '../../src/reporters/github.js';
import type { Finding } from '../../src/types.js';
import { reportInput, ROOT } from './fixtures.js';

interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

// Decoding as the Actions runner does (ActionCommand.TryParseV2): the command and its
// properties run up to the second `::`; `%25` is decoded last so `%253A` stays `%3A`.
function unescapeProperty(text: string): string {
  return text
    .replaceAll('%0D', '\r')
    .replaceAll('%0A', '\n')
    .replaceAll('%3A', ':')
    .replaceAll('%2C', ',')
    .replaceAll('%25', '%');
}

function unescapeData(text: string): string {
  return text.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%');
}

function parseWorkflowCommand(line: string): WorkflowCommand {
  if (!line.startsWith('::')) throw new Error(`not a workflow command: ${line}`);
  const end = line.indexOf('::', 2);
  if (end < 0) throw new Error(`unterminated workflow command: ${line}`);
  const head = line.slice(2, end);
  const space = head.indexOf(' ');
  const command = space < 0 ? head : head.slice(0, space);
  const properties: Record<string, string> = {};
  if (space >= 0) {
    for (const pair of head.slice(space + 1).split(',')) {
      const equals = pair.indexOf('=');
      if (equals <= 0) throw new Error(`bad property ${pair}`);
      properties[pair.slice(0, equals)] = unescapeProperty(pair.slice(equals + 1));
    }
  }
  return { command, properties, message: unescapeData(line.slice(end + 2)) };
}

function parseOutput(output: string): WorkflowCommand[] {
  expect(output === '' || output.endsWith('\n')).toBe(true);
  return output
    .split('\n')
    .slice(0, -1)
    .map(parseWorkflowCommand);
}

const DOCS = 'https://example.test/tm-doctor/docs/rules';

describe('githubReporter', () => {
  it('prints the exact escaped commands: the message as title, the help (or the message) then the rule and its docs as body', () => {
    expect(githubReporter(reportInput()).split('\n')).toEqual([
      `::warning file=stacks/a b/config.tm,line=3,endLine=5,title=Cache 50%25 set%3A dir=~/cache%2C relative%2C "~" not expanded::Cache 50%25 set: dir=~/cache, relative, "~" not expanded%0Aplugin-cache-dir: ${DOCS}/plugin-cache-dir.md`,
      `::error file=Makefile,line=9,col=1,endLine=9,endColumn=72,title=terraform init runs with --enable-sharing (via $(TM_OPTS)%2C defined at Makefile%3A3)::Output sharing runs \`terraform output\` in every dependency stack before the command. Give init the options without sharing.%0Ano-sharing-on-init: ${DOCS}/no-sharing-on-init.md`,
      `::warning file=/home/dev/.terraformrc,line=1,col=1,endLine=1,endColumn=30,title=Lock files record one platform.%0ARun terraform providers lock -platform=linux_amd64%2Cdarwin_arm64::Lock files record one platform.%0ARun terraform providers lock -platform=linux_amd64,darwin_arm64%0Alockfile-cache-env: ${DOCS}/lockfile-cache-env.md`,
      `::notice title=No <cache> & "env" 'set'::No <cache> & "env" 'set'%0Aplugin-cache-dir: ${DOCS}/plugin-cache-dir.md`,
      `::error file=stacks/a b/.terraform/providers/registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64/terraform-provider-aws_v5.0.0,title=terraform-provider-aws_v5.0.0 is empty (0 bytes)::terraform-provider-aws_v5.0.0 is empty (0 bytes)%0Aprovider-handshake: ${DOCS}/provider-handshake.md`,
      '',
    ]);
  });

  it('decodes back to the findings: one command per unfixed finding, severities mapped, title = message, body = help', () => {
    const commands = parseOutput(githubReporter(reportInput()));
    expect(commands.map((command) => command.command)).toEqual(['warning', 'error', 'warning', 'notice', 'error']);
    expect(commands[0].properties).toEqual({ file: 'stacks/a b/config.tm', line: '3', endLine: '5', title: 'Cache 50% set: dir=~/cache, relative, "~" not expanded' });
    expect(commands[1].properties.title).toBe('terraform init runs with --enable-sharing (via $(TM_OPTS), defined at Makefile:3)');
    expect(commands[1].message).toBe(
      `Output sharing runs \`terraform output\` in every dependency stack before the command. Give init the options without sharing.\nno-sharing-on-init: ${DOCS}/no-sharing-on-init.md`,
    );
    expect(commands[3].properties).toEqual({ title: 'No <cache> & "env" \'set\'' });
  });

  it('prints nothing when nothing is left', () => {
    expect(githubReporter(reportInput({ findings: [] }))).toBe('');
  });

  it('round-trips awkward file names, rule ids and messages through the runner decoding', () => {
    const awkward = ['a:b', 'c,d', '100%', '%3A', '%25', 'line\nbreak', 'cr\rlf\r\n', '::', '=', 'ü😀', ' '];
    let seed = 7;
    const pick = (): string => {
      seed = (seed * 48271) % 2147483647;
      return awkward[seed % awkward.length];
    };
    const findings: Finding[] = [];
    for (let index = 0; index < 300; index++) {
      const pieces = Array.from({ length: 1 + (index % 5) }, pick);
      findings.push({
        ruleId: `rule${pick()}`,
        messageId: 'example',
        data: {},
        help: `${pick()}${pick()}`,
        related: [],
        severity: (['error', 'warning', 'info'] as const)[index % 3],
        message: pieces.join(''),
        location: { file: `${ROOT}/dir ${pieces.join('')}/f`, range: { line: index + 1, column: 2, endLine: index + 1, endColumn: 9 } },
        stack: null,
        fix: null,
        fixed: false,
      });
    }
    const commands = parseOutput(githubReporter(reportInput({ findings, rules: [] })));
    expect(commands).toHaveLength(findings.length);
    commands.forEach((command, index) => {
      const source = findings[index];
      expect(command.message).toBe(`${source.help}\n${source.ruleId}`);
      expect(command.properties).toEqual({
        file: `dir ${source.message}/f`,
        line: String(index + 1),
        col: '2',
        endLine: String(index + 1),
        endColumn: '9',
        title: source.message,
      });
    });
  });
});
