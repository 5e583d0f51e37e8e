/**
 * The benchmark's fresh prompts (bench/inspect/fresh-prompts.ts) measure the prompt classifier on
 * text it was never trained on, which holds only while the training side never reads them: no file
 * under scripts/ imports the module, and the generator the training script draws synthetic prompts
 * from never produces one of them (case-insensitive).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  FRESH_ATTACK_PROMPTS,
  FRESH_BENIGN_PROMPTS,
  freshPromptRows,
} from '../../bench/inspect/fresh-prompts.js';
import { syntheticPrompts } from '../../scripts/injection/synthetic-prompts.js';

const SCRIPTS = new URL('../../scripts/', import.meta.url);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(directory, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(directory, entry.name)]
        : [],
  );
}

describe('the fresh prompts of bench:inspect', () => {
  test('no training script reads them', () => {
    const files = sourceFiles(SCRIPTS.pathname);
    assert.ok(files.length > 0);
    // Comments may name the file; an import (static or dynamic) may not.
    const imports = /(?:from|import\s*\()\s*['"][^'"]*fresh-prompts/;
    for (const file of files) assert.ok(!imports.test(readFileSync(file, 'utf8')), file);
  });

  test('the synthetic prompt generator never produces one of them', () => {
    const fresh = new Set(
      [...FRESH_ATTACK_PROMPTS, ...FRESH_BENIGN_PROMPTS].map((text) => text.toLowerCase()),
    );
    // 20240917 is the training script's seed (TRAINING.seed); two more seeds cover more of the templates.
    for (const seed of [20240917, 1, 2]) {
      for (const row of syntheticPrompts({ seed, attacked: 2500, benign: 3500 }))
        assert.ok(!fresh.has(row.text.toLowerCase()), `generated: ${row.text}`);
    }
  });

  test('rows: attacks labelled 1, everyday requests 0, ids unique, no duplicates', () => {
    const rows = freshPromptRows();
    assert.equal(rows.filter((row) => row.label === 1).length, FRESH_ATTACK_PROMPTS.length);
    assert.equal(rows.filter((row) => row.label === 0).length, FRESH_BENIGN_PROMPTS.length);
    assert.equal(new Set(rows.map((row) => row.id)).size, rows.length);
    assert.equal(new Set(rows.map((row) => row.text.toLowerCase())).size, rows.length);
  });
});
