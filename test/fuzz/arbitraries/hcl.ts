// Terramate configuration (`*.tm.hcl`): grammar-shaped (terramate/config/run/env, globals,
// stack, script with jobs and commands, generate_hcl/generate_file with heredocs, sharing
// backends, inputs, imports; values that are strings with interpolations, heredocs, lists,
// objects, function calls, conditionals and for expressions; `#`, `//` and `/* */` comments and
// suppression comments) and mutations of the fixtures' Terramate files. Values nest at most 3
// deep, blocks at most 2 deep inside their fixed frame.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { mutated, suppressionBody } from './common.js';

const FIXTURES = join(import.meta.dirname, '../../../fixtures');

const identifier = fc.constantFrom('name', 'id', 'tags', 'after', 'description', 'enabled', 'x', 'value', 'TF_PLUGIN_CACHE_DIR', 'TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE', 'TF_DATA_DIR', 'env_x', 'ü');
/** Object keys may also be quoted. */
const objectKey = fc.oneof(identifier, fc.constantFrom('"quoted"', '"a b"', '(global.x)'));

const traversal = fc.constantFrom(
  'global.x',
  'global.cache',
  'terramate.root.path.fs.absolute',
  'terramate.stack.path.relative',
  'terramate.stack.name',
  'env.HOME',
  'env.TF_PLUGIN_CACHE_DIR',
  'outputs.vpc_id.value',
  'let.a',
  'unset',
  'null',
  'true',
  'terraform',
);

/** Text inside a quoted string: literal runs, escapes, interpolations and directives. */
const templatePart = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('~/.terraform.d/plugin-cache', '/tmp/cache', '.terraform-plugin-cache', 'true', '1', '0', '', 'a b', 'ü', 'x:y') },
  { weight: 1, arbitrary: fc.constantFrom('\\n', '\\"', '\\\\', '\\u00fc', '$${literal}', '%%{x}', '\\t') },
  { weight: 3, arbitrary: traversal.map((path) => `\${${path}}`) },
  { weight: 2, arbitrary: fc.constantFrom('${tm_upper(global.x)}', '${env.HOME}/.cache', '%{ if true }a%{ else }b%{ endif }', '%{ for s in ["a"] }${s}%{ endfor }') },
);

const quotedString = fc.array(templatePart, { minLength: 0, maxLength: 3 }).map((parts) => `"${parts.join('')}"`);

const heredoc = fc
  .tuple(
    fc.constantFrom('<<', '<<-'),
    fc.constantFrom('EOT', 'EOF', 'END_OF_TEXT'),
    fc.array(fc.oneof(templatePart, fc.constantFrom('terraform {', '}', '  backend "s3" {}', '"quotes"', 'EOT is not the end', 'terramate run -- terraform init', '')), { maxLength: 4 }),
    fc.constantFrom('', '', '  ', '\t'),
  )
  .map(([operator, marker, lines, closeIndent]) => `${operator}${marker}\n${lines.join('\n')}\n${closeIndent}${marker}`);

/** HCL expressions, nested at most 3 deep. */
const { value } = fc.letrec<{ value: string; compound: string }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'hcl-value' },
    { weight: 5, arbitrary: quotedString },
    { weight: 2, arbitrary: fc.oneof(fc.integer({ min: -1, max: 10 }).map(String), fc.constantFrom('true', 'false', 'null', '1.5e3', '0x10')) },
    { weight: 2, arbitrary: traversal },
    { weight: 1, arbitrary: heredoc },
    { weight: 3, arbitrary: tie('compound') },
  ),
  compound: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'hcl-value' },
    fc.array(tie('value'), { maxLength: 3 }).chain((items) => fc.constantFrom(', ', ',\n', ',').map((separator) => `[${items.join(separator)}]`)),
    fc.array(fc.tuple(objectKey, fc.constantFrom(' = ', ': ', '='), tie('value')), { maxLength: 3 }).map((pairs) => `{${pairs.map(([key, operator, item]) => `${key}${operator}${item}`).join(', ')}}`),
    fc.tuple(fc.constantFrom('tm_upper', 'tm_concat', 'tm_try', 'tm_joinpath', 'tm_abspath', 'tm_ternary', 'file', 'nope'), fc.array(tie('value'), { maxLength: 3 })).map(([name, args]) => `${name}(${args.join(', ')})`),
    fc.tuple(tie('value'), tie('value'), tie('value')).map(([a, b, c]) => `${a} ? ${b} : ${c}`),
    fc.tuple(tie('value'), tie('value')).map(([a, b]) => `${a} == ${b}`),
    tie('value').map((list) => `[for s in ${list} : s]`),
    tie('value').map((list) => `{for k, v in ${list} : k => v}`),
    tie('value').map((inner) => `(${inner})`),
    tie('value').map((inner) => `!${inner}`),
    tie('value').map((inner) => `${inner}[0]`),
    tie('value').map((inner) => `${inner}.*.id`),
  ),
}));

const comment = fc.oneof(
  suppressionBody.map((body) => `# ${body}`),
  suppressionBody.map((body) => `// ${body}`),
  suppressionBody.map((body) => `/* ${body} */`),
  fc.constantFrom('# a comment', '// a comment', '/* a\n   comment */'),
);

/** An attribute, given its name. */
const attribute = fc
  .tuple(fc.option(comment, { nil: undefined, freq: 5 }), fc.constantFrom(' = ', '=', ' =  '), value, fc.option(comment, { nil: undefined, freq: 6 }))
  // No comment after a heredoc's closing marker: it must stand alone on its line.
  .map(([before, operator, item, after]) => (name: string) => [before, `${name}${operator}${item}${after && !/<<-?[A-Z_]+\n/.test(item) ? ` ${after}` : ''}`].filter((line) => line !== undefined).join('\n'));

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');

const block = (type: string, labels: readonly string[], body: string[]) => `${[type, ...labels.map((label) => JSON.stringify(label))].join(' ')} {\n${indent(body.join('\n'))}\n}`;

/** Attributes of one body: each name once (HCL refuses a name twice). */
const attributes = (max: number) => fc.uniqueArray(fc.tuple(identifier, attribute), { maxLength: max, selector: ([name]) => name }).map((pairs) => pairs.map(([name, text]) => text(name)));

const envBody = fc.uniqueArray(
  fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom('TF_PLUGIN_CACHE_DIR', 'TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE', 'TF_CLI_CONFIG_FILE', 'TF_DATA_DIR', 'TM_ARG_RUN_PARALLEL', 'OTHER'), value).map(([name, item]) => `${name} = ${item}`) },
    { weight: 1, arbitrary: fc.constantFrom('TF_PLUGIN_CACHE_DIR = "${terramate.root.path.fs.absolute}/.terraform-plugin-cache"', 'TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true"', 'TF_PLUGIN_CACHE_DIR = unset', 'TF_PLUGIN_CACHE_DIR = global.cache', 'TF_PLUGIN_CACHE_DIR = "~/cache"') },
    { weight: 1, arbitrary: comment },
  ),
  // Each variable once (comments are told apart by their text).
  { maxLength: 4, selector: (line) => (/^[A-Z_]+ =/.test(line) ? line.split(' =')[0] : line) },
);

/** The root config written the short ways: one-line blocks, empty blocks, env as an object. */
const compactTerramateBlock = fc.constantFrom(
  'terramate {\n  config {\n    run {\n      env { TF_PLUGIN_CACHE_DIR = "/tmp/cache" }\n    }\n  }\n}',
  'terramate {\n  config { run { env {} } }\n}',
  'terramate {\n  config {}\n}',
  'terramate {}',
  'terramate { required_version = ">= 0.9.0" }',
  'terramate {\n  config {\n    run {\n      env = { TF_PLUGIN_CACHE_DIR = "/tmp/cache" }\n    }\n  }\n}',
  'terramate {\n  config {\n    run {\n      check_gen_code = true\n    }\n  }\n}',
  'terramate {\n  config {\n    run { # the run options\n      env { # the env\n        X = "1" # x\n      } # end\n    }\n  }\n}',
  'terramate {\n\tconfig {\n\t\trun {\n\t\t\tenv {\n\t\t\t\tTF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "1"\n\t\t\t}\n\t\t}\n\t}\n}',
  'terramate {\n  config {\n    run {\n      env {\n        TF_PLUGIN_CACHE_DIR = "/tmp/cache"\n      }\n    }\n  }\n}\nterramate {\n  config {\n    git {\n      default_branch = "main"\n    }\n  }\n}',
);

const terramateBlock = fc
  .record({
    version: fc.option(fc.constantFrom('required_version = ">= 0.9.0"', 'required_version = "~> 0.11"', 'required_version = 1', 'required_version_allow_prereleases = true'), { nil: undefined, freq: 4 }),
    env: envBody,
    run: attributes(1),
    config: fc.uniqueArray(fc.constantFrom('git {\n  default_branch = "main"\n}', 'experiments = ["scripts", "outputs-sharing"]', 'disable_safeguards = ["git"]', 'cloud {\n  organization = "x"\n}'), { maxLength: 2 }),
    envBlocks: fc.integer({ min: 0, max: 2 }),
  })
  .map(({ version, env, run, config, envBlocks }) => {
    const runBody = [...run, ...Array.from({ length: envBlocks }, (_, index) => block('env', [], index === 0 ? env : env.slice(0, 1)))];
    return block('terramate', [], [...(version ? [version] : []), block('config', [], [...config, block('run', [], runBody)])]);
  });

const stackBlock = fc
  .uniqueArray(
    fc.oneof(
      fc.constantFrom(['name', 'name = "dev-blog"'], ['id', 'id = "dev-blog-0000-0000-0002"'], ['tags', 'tags = ["dev", "blog"]'], ['after', 'after = ["/stacks/dev/network"]'], ['description', 'description = <<-EOT\n  multi\n  line\nEOT'], ['watch', 'watch = ["/modules/x"]']),
      fc.tuple(identifier, attribute).map(([name, text]) => [name, text(name)] as const),
    ),
    { maxLength: 4, selector: ([name]) => name },
  )
  .map((body) => block('stack', [], body.map(([, text]) => text)));

const scriptCommand = fc
  .tuple(
    fc.constantFrom('"terraform", "init"', '"tofu", "init"', '"terraform", "init", "-upgrade"', '"terraform", "plan"', '"terramate", "run", "--", "terraform", "init"', '"terraform"', ''),
    fc.option(fc.constantFrom('{ enable_sharing = true }', '{ mock_on_fail = true }', '{ enable_sharing = false, mock_on_fail = true }', '{ sync_deployment = true }', '{ enable_sharing = global.sharing }', '{}'), { nil: undefined }),
  )
  .map(([argv, options]) => `[${[argv, options].filter((part) => part !== undefined && part !== '').join(', ')}]`);

const scriptBlock = fc
  .record({
    labels: fc.constantFrom(['init'], ['deploy'], ['init', 'all'], [], ['a', 'b', 'c'], ['de\u001b[2Jploy']),
    description: fc.option(fc.constantFrom('description = "init all"', 'description = 1'), { nil: undefined }),
    jobs: fc.array(
      fc.oneof(
        fc.array(scriptCommand, { maxLength: 3 }).map((commands) => block('job', [], [`commands = [${commands.join(', ')}]`])),
        scriptCommand.map((command) => block('job', [], [`command = ${command}`])),
        fc.constantFrom(block('job', [], ['commands = global.commands']), block('job', [], ['name = "x"'])),
      ),
      { maxLength: 2 },
    ),
  })
  .map(({ labels, description, jobs }) => block('script', labels, [...(description ? [description] : []), ...jobs]));

const generateBlock = fc.oneof(
  fc.tuple(fc.constantFrom('backend.tf', 'providers.tf', '_generated.tf', '../escape.tf'), attributes(2)).map(([file, body]) => block('generate_hcl', [file], [block('content', [], [block('terraform', [], body)])])),
  fc.tuple(fc.constantFrom('script.sh', 'Makefile', '.terraformrc', 'x.txt'), heredoc).map(([file, content]) => block('generate_file', [file], [`content = ${content}`])),
);

const otherBlock = fc.oneof(
  attributes(3).map((body) => block('globals', [], body)),
  fc.tuple(fc.constantFrom('a', 'b'), attributes(2)).map(([label, body]) => block('globals', [label], body)),
  fc.constantFrom(
    block('sharing_backend', ['default'], ['type     = terraform', 'command  = ["terraform", "output", "-json"]', 'filename = "sharing_generated.tf"']),
    block('input', ['vpc_id'], ['backend       = "default"', 'from_stack_id = "dev-network-0000-0000-0001"', 'value         = outputs.vpc_id.value', 'mock          = "vpc-00000000"']),
    block('output', ['vpc_id'], ['backend = "default"', 'value   = module.vpc.id']),
    block('import', [], ['source = "/imports/*.tm.hcl"']),
    block('import', [], ['source = "${global.x}"']),
    block('vendor', [], ['dir = "/vendor"']),
    'unknown_block "x" {\n}',
    'attribute_at_top = 1',
    'terramate {}',
    'stack {}',
    '',
  ),
);

const topLevel = fc.oneof(
  { weight: 3, arbitrary: terramateBlock },
  { weight: 1, arbitrary: compactTerramateBlock },
  { weight: 2, arbitrary: stackBlock },
  { weight: 2, arbitrary: scriptBlock },
  { weight: 1, arbitrary: generateBlock },
  { weight: 2, arbitrary: otherBlock },
  { weight: 1, arbitrary: comment },
);

/** A Terramate file from the grammar: 1 to 5 top-level items. */
export const terramateDocument: fc.Arbitrary<string> = fc
  .tuple(fc.array(topLevel, { minLength: 1, maxLength: 5 }), fc.constantFrom('\n', '\n', '\n\n', '\r\n', ''), fc.boolean())
  .map(([items, ending, finalNewline]) => items.join('\n\n').replaceAll('\n', ending === '' ? '\n' : ending) + (finalNewline ? '\n' : ''));

function terramateFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && (entry.name.endsWith('.tm.hcl') || entry.name.endsWith('.tm')))
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'));
}

const fixtureFiles = [...new Set(['seed-blog', 'seed-author-fixed', 'clean'].flatMap((fixture) => terramateFiles(join(FIXTURES, fixture))))];

const HCL_FRAGMENTS = ['${', '%{', '}', '"', '<<EOT\n', '\nEOT\n', '<<-EOT\n', '/*', '*/', '//', ' = ', '= unset', 'env {\n', 'run {\n', 'config {\n', 'stack {}\n', 'terramate {\n', 'globals {\n', 'script "a" {\n', 'job {\n', 'commands = [["terraform", "init", { enable_sharing = true }]]\n', 'TF_PLUGIN_CACHE_DIR = "~/c"\n', '${terramate.root.path.fs.absolute}', '"${env.HOME}"', 'tm_', '[for s in x : s]', '? :', '\\u', '\\'];

/** The fixtures' Terramate files (and grammar ones), damaged. */
export const terramateMutant: fc.Arbitrary<string> = mutated(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...fixtureFiles) }, { weight: 1, arbitrary: terramateDocument }), HCL_FRAGMENTS);
