// The fast HCL reader against HashiCorp's parser (hcl2json, the judge): wherever parseHclFast
// answers, its answer is hcl2json's exactly (values, key order, -0), and it answers null
// wherever hcl2json fails (a syntax error, or a file hcl2json cannot turn into JSON). Inputs:
// every HCL file of the fixtures and of a generated monorepo, typical Terraform and Terramate
// files, thousands of documents from a seeded grammar-shaped generator (the subset and its
// edges, and constructs outside it), the same documents damaged, and the fuzz suite's Terramate
// documents. Minimum answer rates keep the fast path from declining its way to success.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { generateMonorepo } from '../../bench/generate-monorepo.mjs';
import { parseHclFast } from '../../src/parsers/hcl-fast.js';
import type { HclBody } from '../../src/parsers/hcl.js';
import { seededRandom } from '../support/seeded-random.js';
import { terramateDocument, terramateMutant } from '../fuzz/arbitraries/hcl.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
/** More documents, another seed: `TM_DOCTOR_HCL_FAST_DOCUMENTS=50000 TM_DOCTOR_HCL_FAST_SEED=2 npm run test:only -- test/parsers/hcl-fast`. */
const DOCUMENTS = Number(process.env.TM_DOCTOR_HCL_FAST_DOCUMENTS ?? 3000);
const SEED = Number(process.env.TM_DOCTOR_HCL_FAST_SEED ?? 20_240_611);
const HCL_FILE = /(\.tm|\.tm\.hcl|\.tf|\.hcl)$/;

type Hcl2Json = { parse(file: string, text: string): Promise<HclBody> };
let hcl2json: Hcl2Json;

beforeAll(async () => {
  hcl2json = (await import('@cdktf/hcl2json')) as unknown as Hcl2Json;
});

/** Equal as JSON.parse built them: same keys in the same order, numbers by Object.is (-0). */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length || aKeys.some((key, index) => key !== bKeys[index])) return false;
  return aKeys.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

interface Tally {
  inputs: number;
  /** hcl2json converted it. */
  valid: number;
  /** parseHclFast answered (always a valid one). */
  answered: number;
  failures: string[];
}

/** Both parsers on each text: a failure is any answer that is not hcl2json's. */
async function differential(texts: Iterable<string>, file = 'input.tf'): Promise<Tally> {
  const tally: Tally = { inputs: 0, valid: 0, answered: 0, failures: [] };
  for (const text of texts) {
    tally.inputs++;
    let reference: HclBody | undefined;
    let error: string | undefined;
    try {
      reference = await hcl2json.parse(file, text);
      tally.valid++;
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    const fast = parseHclFast(file, text);
    if (fast === null) continue;
    tally.answered++;
    if (reference === undefined) tally.failures.push(`answered where hcl2json fails (${error?.slice(0, 160)}): ${JSON.stringify(text)}\n  fast: ${JSON.stringify(fast)}`);
    else if (!sameValue(fast, reference)) tally.failures.push(`differs: ${JSON.stringify(text)}\n  hcl2json: ${JSON.stringify(reference)}\n  fast:     ${JSON.stringify(fast)}`);
  }
  return tally;
}

function report(name: string, tally: Tally): void {
  console.log(`${name}: ${tally.inputs} inputs, ${tally.valid} converted by hcl2json, ${tally.answered} answered by the fast reader (${((100 * tally.answered) / Math.max(1, tally.valid)).toFixed(1)}% of the converted ones)`);
}

function hclFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && HCL_FILE.test(entry.name) && !entry.parentPath.split('/').includes('node_modules'))
    .map((entry) => join(entry.parentPath, entry.name));
}

// ---- Typical files -----------------------------------------------------------------------

const TYPICAL = [
  `terraform {
  required_version = ">= 1.5.0"

  backend "s3" {
    bucket         = "acme-terraform-state"
    key            = "network/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "terraform-locks"
    encrypt        = true
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5, < 4.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}
`,
  `variable "region" {
  type        = string
  description = "AWS region"
  default     = "eu-west-1"
}

variable "subnets" {
  type = map(object({
    cidr = string
    az   = string
  }))
  default = {}
}

variable "instance_count" {
  type    = number
  default = 2

  validation {
    condition     = can(regex("^[0-9]+$", tostring(var.instance_count)))
    error_message = "Must be a whole number."
  }
}

locals {
  name_prefix = "\${var.project}-\${var.environment}"
  common_tags = merge(var.tags, {
    Project = var.project
  })
  azs = slice(data.aws_availability_zones.available.names, 0, 3)
}
`,
  `module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.2"

  name = "\${local.name_prefix}-vpc"
  cidr = "10.0.0.0/16"

  azs             = local.azs
  private_subnets = ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
  public_subnets  = ["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"]

  enable_nat_gateway = true
  single_nat_gateway = true

  tags = local.common_tags
}

resource "aws_security_group" "web" {
  name_prefix = "web-"
  vpc_id      = module.vpc.vpc_id

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_instance" "web" {
  for_each      = toset(var.names)
  ami           = data.aws_ami.ubuntu.id
  instance_type = "t3.micro"
  subnet_id     = module.vpc.private_subnets[0]
  user_data     = <<-EOT
    #!/bin/bash
    echo "hello \${each.key}" > /tmp/hello
    systemctl enable --now nginx
  EOT

  depends_on = [aws_security_group.web]
}

data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"]

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"]
  }
}

output "vpc_id" {
  description = "The VPC"
  value       = module.vpc.vpc_id
}

output "instance_ips" {
  value     = values(aws_instance.web)[0].private_ip
  sensitive = false
}
`,
  `# Terramate root configuration
terramate {
  required_version = ">= 0.9.0"

  config {
    experiments = ["scripts", "outputs-sharing"]

    git {
      default_branch = "main"
      check_untracked = false
    }

    run {
      env {
        TF_PLUGIN_CACHE_DIR = "\${terramate.root.path.fs.absolute}/.terraform-plugin-cache"
        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true"
      }
    }
  }
}

globals {
  project     = "acme"
  environment = "dev"
  region      = "eu-west-1"
  tags = {
    team  = "platform"
    owner = "ops@example.com"
  }
}

`,
  `globals "terraform" "providers" "aws" {
  source  = "hashicorp/aws"
  version = "~> 5.0"
  enabled = true
}

globals "terraform" "providers" "random" {
  source  = "hashicorp/random"
  version = "~> 3.5"
}
`,
  `generate_hcl "_terramate_generated_backend.tf" {
  content {
    terraform {
      backend "s3" {
        bucket = global.state_bucket
        key    = "terraform/stacks/by-id/\${terramate.stack.id}/terraform.tfstate"
        region = global.region
      }
    }
  }
}

generate_file "README.md" {
  content = <<EOT
# \${terramate.stack.name}

Generated by Terramate: \${terramate.stack.description}
EOT
}

script "deploy" {
  description = "Init, plan and apply"

  job {
    commands = [
      ["terraform", "init"],
      ["terraform", "plan", "-out", "plan.tfplan", {
        sync_preview = true
      }],
      ["terraform", "apply", "plan.tfplan"],
    ]
  }
}

stack {
  name        = "network"
  description = "VPC and subnets"
  id          = "4a6c1d0e-6b9e-4d3c-9c3f-6e7b1a2d3c4e"
  tags        = ["network", "dev"]
  after       = ["/stacks/dev/bootstrap"]
}
`,
  `# Provider lock file
provider "registry.terraform.io/hashicorp/random" {
  version     = "3.6.0"
  constraints = ">= 3.5.0, < 4.0.0"
  hashes = [
    "h1:R5Ucn26riKIEijcsiOMBR3uOAjuOMfI1x7XvH4P6B1w=",
    "zh:03360ed3ecd31e8c5dac9c95fe0858be50f3e9a0d0c654b5e504109c2159287d",
  ]
}

provider "registry.terraform.io/hashicorp/aws" {
  version = "5.31.0"
  hashes = [
    "h1:ltxyuBWIy9cq0kIKDJH1jeWJy/y7XJLjS4QrsQK4plA=",
  ]
}
`,
];

/** Typical too, but outside the subset (operators, conditionals, for, splats): declined. */
const TYPICAL_DECLINED = [
  'variable "n" {\n  validation {\n    condition     = var.n >= 0\n    error_message = "Must not be negative."\n  }\n}\n',
  'resource "aws_eip" "nat" {\n  count  = var.enabled ? 1 : 0\n  domain = "vpc"\n}\n',
  'locals {\n  ids = [for s in aws_subnet.private : s.id]\n}\n',
  'output "ips" {\n  value = aws_instance.web[*].private_ip\n}\n',
  'globals {\n  a = 1\n}\n\nglobals "terraform" {\n  b = 2\n}\n',
];

/** Edges read the way hcl2json reads them (checked against it, not written out here). */
const EDGES = [
  '', '\n\n', '# only', '/* only */', '\ufeff', '\ufeffa = 1\n', 'a {\n}\n\n\n', 'a = 1 # no newline at the end',
  // Go's unicode.IsSpace around a heredoc's closing marker; CRLF and tabs in flush heredocs.
  'a = <<EOT\nx\n\u00a0EOT\u00a0\n', 'a = <<EOT\nx\n\u0085EOT\n', 'a = <<EOT\nx\n\u2003EOT\n', 'a = <<-EOT\r\n\t\tx\r\n\t  y\r\n\r\n  EOT\r\n', 'a = <<-EOT\n\tx\n  y\nEOT\n',
  'a = <<EOT\n${x} EOT\nEOT\n', 'a = <<EOT\n  EOT\n', 'a = <<EOT\nEOT\n', 'a = <<EOT\n$\n%\n$$\n%%\n$${x}\n%%{y}\nEOT\n', 'a = [<<EOT\nx\nEOT\n, 1]\n',
  // Keys sorted by UTF-8 bytes, integer-like ones first; labels kept as written (not NFC).
  'm = {"é" = 1, "z" = 2, "\u00ff" = 3, "\u4e00" = 4, "\uff01" = 5, "A" = 6, "" = 7, "10" = 8, "2" = 9, "01" = 10}\n', 'b "\u4e00" {}\nb "\uff01" {}\nb "a" {}\n', 'a "\\u0065\\u0301" {}\n', 'a "e\u0301" {}\n',
  'a = "\u00a0x\u2028y\u0001\u0000"\n', 'a = "\\\\${x}"\n', 'a = "\\\\$${x}"\n', 'a = "$$${x}"\n', 'a = "\\u0024{x}\\u0025{y}"\n', 'a = "\\u00e9\\u0301"\n',
  'a = 0.1e1\nb = 1e0\nc = 00.5\nd = -0.0\ne = 9007199254740993\nf = 1e250\n',
  // Comments wherever HCL skips them, also inside the source text hcl2json copies.
  'a = [\n  # c\n]\n', 'a = {\n  # c\n}\n', 'a = f(\n  # c\n)\n', 'a = f(# c\n x)\n', 'a = x[# c\n0]\n', 'a = "${# c\nx}"\n', 'a = /* c */ 1 /* d\n */\n', 'a /* h */ "x" /* i */ {\n}\n',
  'a = {"a" = 1, a = 2}\n', 'a = {a = 1\n}\n', 'a = {a = 1,\n}\n', 'a = {\na = 1 ,\n b = 2\n}\n', 'a = [1\n,2]\n', 'a = {a: 1, b: [\n2]}\n', 'a { b = {\n c = 1\n} }\n',
  'a = f(x).y[0]["k"][g(1,)].z\n', 'a = "${f("}")}"\n', 'a = f("x)", ")")\n', 'x "a" {}\nx "a" {}\nx "b" "c" {}\nx "b" "d" {}\n',
];
/** Edges it declines (hcl2json may or may not read them). */
const DECLINED_EDGES = ['a = <<EOT\n${\nx}\nEOT\n', 'a = "\\u0065\\u0301"\n', 'a = "e\u0301"\n', 'a = 1.e3\n', 'a = 1e400\n', 'a = {__proto__ = 1}\n', 'a = 1\na {}\n', 'a = x .y\n', 'a = f (x)\n', 'x "b" {}\nx "b" "c" {}\n'];

// ---- A grammar-shaped generator ----------------------------------------------------------

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function between(random: Random, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/** Where spaces may go on one line: mostly a space, sometimes none, tabs, block comments. */
function gap(random: Random): string {
  return pick(random, [' ', ' ', ' ', ' ', '', '  ', '\t', ' /* c */ ', '/**/', ' /* multi\n line */ ']);
}

/** Where newlines do not count (brackets, arguments, interpolations). */
function looseGap(random: Random): string {
  return pick(random, [' ', ' ', '', '\n  ', '\n', ' # c\n ', ' // c\n', ' /* c */ ', '\n\n ', '\t']);
}

const NAMES = ['a', 'b', 'name', 'x_1', 'a-b', '_u', 'Value', 'tags', 'source', 'version', 'id', 'enabled'];
const ODD_NAMES = ['for', 'in', 'if', 'true', 'false', 'null', 'é', 'a.b', '1a', 'endfor'];
const ROOTS = ['var', 'local', 'module', 'global', 'terramate', 'each', 'data', 'aws_instance', 'x'];
const STEPS = ['.b', '.c_d', '.id', '.name-x', '[0]', '[12]', '["k"]', '[var.i]', '[ 0 ]', '[\n0\n]'];
const ODD_STEPS = ['.0', '[*]', '.*', ' .b', '. b', '[', '.', '["${x}"]', '[1.5]', '[-1]', '[true]'];
const FUNCTIONS = ['upper', 'lower', 'merge', 'f', 'tm_upper', 'jsonencode', 'toset', 'coalesce'];
const NUMBERS = ['0', '1', '-1', '42', '1.5', '0.10', '1e3', '1E3', '1.5e+3', '2e-2', '-0', '-0.0', '007', '100000000000000000000', '3.14159', '-1.5'];
const ODD_NUMBERS = ['1e400', '123456789012345678901234567890123456789012345', '1.', '.5', '1.e3', '0x10', '1_000', '- 1', '1e', '1e+', '1.2.3', '1e-400', '-x'];
const TEXT = ['abc', 'a b', ' ', 'hello world', '{', '}', '$', '%', '$$', '%%', '$x', '%x', '#', '//', '/*', '*/', ':', '=', '~', "'", '`', ';', 'a$', ''];
const ODD_TEXT = ['é', 'e\u0301', '日本', '\u00a0', '\u2028', '\u0001', '\u0000', '😀', 'ü', '\ud800', '\r', '\n', 'Å', '\ufeff', '\u0085'];
const ESCAPES = ['\\n', '\\r', '\\t', '\\"', '\\\\', '\\u00e9', '\\u0041', '\\u0024{x}', '\\u0025{y}', '$${', '%%{', '$${x}', '%%{x}', '$$${x}'];
const ODD_ESCAPES = ['\\U0001F600', '\\U00000041', '\\u0301', '\\uD800', '\\x', '\\u12', '\\', '\\U00110000', '\\a'];
const OUT_OF_SUBSET = ['a + b', 'x ? 1 : 2', '(x)', '[for s in x : s]', '{for k, v in x : k => v}', 'x[*].id', 'x.*.id', '-x', '!x', 'x.0', '"%{if x}a%{endif}"', 'f(x...)', 'a == b', 'provider::p::f(1)', '1 + 2', '"${x}" + 1', 'x.y[0].z ? "a" : "b"', '"${~x~}"', '-(1)', '--1', 'x[0].*', 'true.x', 'null[0]', 'f (x)', 'x /2'];

function traversal(random: Random, depth: number): string {
  let text = pick(random, ROOTS);
  const steps = between(random, 0, 3);
  for (let index = 0; index < steps; index++) {
    const step = random() < 0.05 ? pick(random, ODD_STEPS) : pick(random, STEPS);
    text += step === '[var.i]' && depth > 0 ? `[${traversal(random, depth - 1)}]` : step;
  }
  return text;
}

function call(random: Random, depth: number): string {
  const args = Array.from({ length: between(random, 0, 3) }, () => value(random, depth - 1));
  const separator = pick(random, [', ', ',', ',\n', ' ,\n  ', `,${looseGap(random)}`]);
  const trailing = args.length > 0 && random() < 0.2 ? ',' : '';
  const suffix = random() < 0.15 ? pick(random, ['.id', '[0]', '["k"]', '.a.b']) : '';
  return `${pick(random, FUNCTIONS)}(${looseGap(random).trim() === '' ? '' : looseGap(random)}${args.join(separator)}${trailing}${random() < 0.2 ? looseGap(random) : ''})${suffix}`;
}

/** Something `${...}` may hold. */
function interpolated(random: Random, depth: number): string {
  const roll = random();
  if (roll < 0.6) return traversal(random, depth);
  if (roll < 0.85) return call(random, Math.min(depth, 1));
  return pick(random, ['1', '"x"', 'true', 'null', 'a + 1', 'x ? y : z', '[1]', '{}', 'x[*]', '-1', '(x)']);
}

function quoted(random: Random, depth: number): string {
  const parts: string[] = [];
  const count = between(random, 0, 4);
  for (let index = 0; index < count; index++) {
    const roll = random();
    if (roll < 0.4) parts.push(pick(random, TEXT));
    else if (roll < 0.47) parts.push(pick(random, ODD_TEXT));
    else if (roll < 0.62) parts.push(pick(random, ESCAPES));
    else if (roll < 0.66) parts.push(pick(random, ODD_ESCAPES));
    else if (roll < 0.95) parts.push(`\${${random() < 0.7 ? '' : looseGap(random)}${interpolated(random, depth)}${random() < 0.7 ? '' : looseGap(random)}}`);
    else parts.push(pick(random, ['%{ if x }a%{ endif }', '${~ x }', '${ x ~}', '${', '%{', '${}', '%{ for s in x }${s}%{ endfor }']));
  }
  return `"${parts.join('')}"`;
}

function heredoc(random: Random, depth: number): string {
  const marker = pick(random, ['EOT', 'EOF', 'END-OF-TEXT', 'x_1']);
  const flush = random() < 0.5;
  const lines: string[] = [];
  const count = between(random, 0, 4);
  for (let index = 0; index < count; index++) {
    const indent = pick(random, ['', '  ', '    ', '\t', ' ', '      ']);
    const roll = random();
    let content: string;
    if (roll < 0.15) content = '';
    else if (roll < 0.55) content = pick(random, [...TEXT, 'terraform init', 'echo "hi"', 'a \\n b', `${marker} is not the end`, 'key: value']);
    else if (roll < 0.8) content = `${pick(random, ['', 'x=', 'path: '])}\${${interpolated(random, depth)}}${pick(random, ['', '/bin', ' tail'])}`;
    else if (roll < 0.9) content = pick(random, [...ESCAPES, ...ODD_TEXT]);
    else content = pick(random, ['%{ if x }y%{ endif }', '${x\n}', `  ${marker}x`, '$${x}', '%%{y}']);
    lines.push(random() < 0.1 ? indent : `${indent}${content}`);
  }
  const closing = pick(random, [marker, marker, `  ${marker}`, `${marker}  `, `\t${marker}`, random() < 0.5 ? 'EOT' : `${marker};`]);
  return `<<${flush ? '-' : ''}${marker}${random() < 0.03 ? ' ' : ''}\n${lines.map((line) => `${line}\n`).join('')}${closing}`;
}

function tuple(random: Random, depth: number): string {
  const items = Array.from({ length: between(random, 0, 4) }, () => value(random, depth - 1));
  const separator = pick(random, [', ', ',', ',\n  ', ' ,\n', `,${looseGap(random)}`]);
  const trailing = items.length > 0 && random() < 0.3 ? pick(random, [',', ',\n']) : '';
  return `[${random() < 0.3 ? looseGap(random) : ''}${items.join(separator)}${trailing}${random() < 0.3 ? looseGap(random) : ''}]`;
}

function objectKey(random: Random): string {
  const roll = random();
  if (roll < 0.7) return pick(random, NAMES);
  if (roll < 0.9) return pick(random, ['"k"', '"a b"', '"$${x}"', '"10"', '"2"', '""', '"é"', '"\\n"', '"b"', '"a"']);
  return pick(random, [...ODD_NAMES, '"${x}"', '"__proto__"', '__proto__', '(x)', '1', 'a.b']);
}

function object(random: Random, depth: number): string {
  const count = between(random, 0, 4);
  const entries = Array.from({ length: count }, () => `${objectKey(random)}${pick(random, [' = ', '=', ': ', ':', ' =', ' :  '])}${value(random, depth - 1)}`);
  if (random() < 0.4) {
    const separator = pick(random, [', ', ',', ' , ']);
    return `{${random() < 0.5 ? ' ' : ''}${entries.join(separator)}${count > 0 && random() < 0.3 ? ',' : ''}${random() < 0.5 ? ' ' : ''}}`;
  }
  const separator = pick(random, ['\n', ',\n', '\n\n', ' # c\n', ' // c\n', ',\n\n', '\r\n']);
  return `{\n${entries.map((entry) => `  ${entry}`).join(separator)}${count > 0 && random() < 0.2 ? ',' : ''}\n}`;
}

function value(random: Random, depth: number): string {
  const roll = random();
  if (roll < 0.3) return quoted(random, depth);
  if (roll < 0.4) return random() < 0.9 ? pick(random, NUMBERS) : pick(random, ODD_NUMBERS);
  if (roll < 0.45) return pick(random, ['true', 'false', 'null']);
  if (roll < 0.58) return traversal(random, depth);
  if (roll < 0.66) return depth > 0 ? call(random, depth) : traversal(random, 0);
  if (roll < 0.77) return depth > 0 ? tuple(random, depth) : quoted(random, 0);
  if (roll < 0.88) return depth > 0 ? object(random, depth) : pick(random, NUMBERS);
  if (roll < 0.95) return heredoc(random, depth);
  return pick(random, OUT_OF_SUBSET);
}

const BLOCK_TYPES = ['a', 'b', 'resource', 'provider', 'globals', 'stack', 'terraform'];
const LABELS = ['"x"', '"y"', '"aws"', 'x', 'bare', '"with space"', '""', '"a\\"b"', '"$${x}"', '"é"', '"e\u0301"', '"10"', '"2"'];
const ODD_LABELS = ['"${x}"', '"%{x}"', '"a\nb"', '"__proto__"', '1', '"\\q"', '"x'];

function attribute(random: Random, depth: number, indent: string): string {
  const name = random() < 0.95 ? pick(random, NAMES) : pick(random, ODD_NAMES);
  const after = pick(random, ['', '', '', ' # note', ' // note', ' /* note */', '  ']);
  return `${indent}${name}${pick(random, [' = ', '=', '  =  ', ' =\t', ' /* c */ = '])}${value(random, depth)}${after}\n`;
}

function block(random: Random, depth: number, indent: string): string {
  const labels = Array.from({ length: between(random, 0, 2) }, () => (random() < 0.95 ? pick(random, LABELS) : pick(random, ODD_LABELS)));
  const header = `${indent}${pick(random, BLOCK_TYPES)}${labels.map((label) => `${gap(random) || ' '}${label}`).join('')}${gap(random)}`;
  const roll = random();
  if (roll < 0.15) return `${header}{}\n`;
  if (roll < 0.3) return `${header}{${gap(random)}${pick(random, NAMES)} = ${value(random, 0)}${gap(random)}}\n`;
  const inner = `${indent}  `;
  const items = Array.from({ length: between(random, 0, 4) }, () => item(random, depth - 1, inner)).join('');
  return `${header}{${random() < 0.1 ? ' # opens' : ''}\n${items}${indent}}\n`;
}

function item(random: Random, depth: number, indent: string): string {
  const roll = random();
  if (roll < 0.5 || depth <= 0) return attribute(random, Math.min(depth + 1, 2), indent);
  if (roll < 0.88) return block(random, depth, indent);
  return pick(random, ['\n', `${indent}# comment\n`, `${indent}// comment\n`, `${indent}/* block\n comment */\n`, `${indent}\n`]);
}

function document(random: Random): string {
  let text = Array.from({ length: between(random, 0, 6) }, () => item(random, 3, '')).join('');
  if (random() < 0.3) text = text.replace(/\n$/, '');
  if (random() < 0.15) text = text.replaceAll('\n', '\r\n');
  if (random() < 0.03) text = `\ufeff${text}`;
  return text;
}

const DAMAGE = ['{', '}', '"', '=', ',', '\n', '${', '%{', '#', '/*', '*/', '<<EOT\n', '\r', '+', '?', ':', '.', '[', ']', '(', ')', '\\', '~', 'é', '\u00a0', '\ud83d', '\t', ' ', '$', '%', '-', '0', 'x', '//', '\n}', 'a = 1\n', '...', '::', '!', '\u0000'];

function damaged(random: Random, text: string): string {
  const at = between(random, 0, text.length);
  switch (between(random, 0, 5)) {
    case 0:
      return text.slice(0, at) + text.slice(at + between(random, 1, 3));
    case 1:
    case 2:
      return text.slice(0, at) + pick(random, DAMAGE) + text.slice(at);
    case 3: {
      const lines = text.split('\n');
      const line = between(random, 0, lines.length - 1);
      lines.splice(line, 0, lines[line]);
      return lines.join('\n');
    }
    case 4:
      return text.slice(0, at);
    default:
      return at + 1 < text.length ? text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2) : text + pick(random, DAMAGE);
  }
}

// ---- Tests -------------------------------------------------------------------------------

describe('parseHclFast against hcl2json', () => {
  let monorepo: string;
  beforeAll(() => {
    monorepo = generateMonorepo(200);
  });
  afterAll(() => {
    rmSync(monorepo, { recursive: true, force: true });
  });

  it('answers every HCL file of the fixtures and of a generated monorepo, as hcl2json does', async () => {
    const fixtures = hclFiles(FIXTURES).map((file) => readFileSync(file, 'utf8'));
    const generated = hclFiles(monorepo).map((file) => readFileSync(file, 'utf8'));
    expect(fixtures.length).toBeGreaterThan(30);
    // Per stack a stack file, main.tf and a lock file; the root terramate.tm.hcl; a config.tm.hcl per 50 stacks.
    expect(generated.length).toBe(3 * 200 + 1 + 4);
    for (const [name, texts] of [['fixtures', fixtures], ['generated monorepo', generated]] as const) {
      const tally = await differential(texts);
      report(name, tally);
      expect(tally.failures).toEqual([]);
      expect(tally.valid).toBe(texts.length);
      expect(tally.answered).toBe(texts.length);
    }
  }, 600_000);

  it('answers typical Terraform and Terramate files, as hcl2json does', async () => {
    const tally = await differential(TYPICAL);
    report('typical files', tally);
    expect(tally.failures).toEqual([]);
    expect(tally.answered).toBe(TYPICAL.length);
    // The same with Windows line endings.
    const crlf = await differential(TYPICAL.map((text) => text.replaceAll('\n', '\r\n')));
    expect(crlf.failures).toEqual([]);
    expect(crlf.answered).toBe(TYPICAL.length);
    const declined = await differential(TYPICAL_DECLINED);
    expect(declined.failures).toEqual([]);
    expect(declined.answered).toBe(0);
  }, 600_000);

  it('reads edge cases as hcl2json does, and declines the doubtful ones', async () => {
    const tally = await differential(EDGES);
    expect(tally.failures).toEqual([]);
    expect(tally.answered).toBe(EDGES.length);
    const declined = await differential(DECLINED_EDGES);
    expect(declined.failures).toEqual([]);
    expect(declined.answered).toBe(0);
  }, 600_000);

  it.each([
    ['interpolations as their source text', 'a = var.x\nb = upper( var.z )\nc = "p${var.y}q"\nd = "${ var.x }"\ne = f(x).y[0]\n', { a: '${var.x}', b: '${upper( var.z )}', c: 'p${var.y}q', d: '${var.x}', e: '${f(x).y[0]}' }],
    ['numbers as HCL reads them', 'a = 1.50\nb = -0\nc = 1e3\nd = 007\n', { a: 1.5, b: -0, c: 1000, d: 7 }],
    ['template escapes written back', 'a = "$$${x}"\nb = "a%%{b}"\nc = "\\u0024{x}"\n', { a: '$$${x}', b: 'a%%{b}', c: '$${x}' }],
    ['blocks nested by label, repeated into arrays, keys sorted', 'provider "aws" { region = "x" }\nb {}\nb {\n}\na = 1\n', { a: 1, b: [{}, {}], provider: { aws: [{ region: 'x' }] } }],
    ['integer-like keys first, as JSON.parse orders them', 'm = {b = 1, a = 2, "10" = 3, "2" = 4}\n', { m: { '2': 4, '10': 3, a: 2, b: 1 } }],
    ['flush heredocs', 'a = <<-EOT\n    x\n      y\n\n   \n    EOT\n', { a: 'x\n  y\n\n   \n' }],
  ])('reads %s', async (_name, text, expected) => {
    const fast = parseHclFast('f.tf', text);
    expect(fast).not.toBeNull();
    expect(sameValue(fast, expected)).toBe(true);
    expect(sameValue(fast, await hcl2json.parse('f.tf', text))).toBe(true);
  });

  it.each([
    ['an operator', 'a = b + 1\n'],
    ['a conditional', 'a = x ? 1 : 2\n'],
    ['a directive', 'a = "%{ if x }y%{ endif }"\n'],
    ['a splat', 'a = x[*].id\n'],
    ['a for expression', 'a = [for s in x : s]\n'],
    ['a surrogate pair', 'a = "😀"\n'],
    ['a surrogate pair in a comment (test/engine/selection.test.ts relies on it)', 'a = 1 # 📦\n'],
    ['an attribute set twice (a syntax error)', 'a = 1\na = 2\n'],
    ['two attributes on a line (a syntax error)', 'a = 1 b = 2\n'],
    ['blocks hcl2json cannot turn into JSON', 'g {}\ng "a" {}\n'],
    ['an unterminated heredoc', 'a = <<EOT\nx\nEOT'],
    ['text that NFC normalization changes', 'a = "e\u0301"\n'],
  ])('declines %s', (_name, text) => {
    expect(parseHclFast('f.tf', text)).toBeNull();
  });

  it('equals hcl2json on thousands of generated documents, and declines all it cannot convert', async () => {
    const random = seededRandom(SEED);
    const documents = Array.from({ length: DOCUMENTS }, () => document(random));
    const tally = await differential(documents);
    report('generated documents', tally);
    expect(tally.failures.slice(0, 5)).toEqual([]);
    // The generator mostly writes the subset: most documents hcl2json converts are answered.
    expect(tally.valid).toBeGreaterThan(DOCUMENTS / 3);
    expect(tally.answered / tally.valid).toBeGreaterThan(0.4);

    const mutants = documents.map((text) => damaged(random, damaged(random, text)));
    const damagedTally = await differential(mutants);
    report('damaged documents', damagedTally);
    expect(damagedTally.failures.slice(0, 5)).toEqual([]);
    expect(damagedTally.inputs - damagedTally.valid).toBeGreaterThan(DOCUMENTS / 3);
  }, 900_000);

  it("equals hcl2json on the fuzz suite's Terramate documents, whole and damaged", async () => {
    const whole = fc.sample(terramateDocument, { seed: 7, numRuns: 600 });
    const wholeTally = await differential(whole, 'config.tm.hcl');
    report('fuzz Terramate documents', wholeTally);
    expect(wholeTally.failures.slice(0, 5)).toEqual([]);
    const mutants = fc.sample(terramateMutant, { seed: 11, numRuns: 600 });
    const mutantTally = await differential(mutants, 'config.tm.hcl');
    report('fuzz Terramate mutants', mutantTally);
    expect(mutantTally.failures.slice(0, 5)).toEqual([]);
  }, 900_000);
});
