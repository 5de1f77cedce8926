import { describe, expect, it } from 'vitest';
import { porter2 } from '../../../src/adapters/local/english-stemmer.js';
import { LiveChunks } from '../../../src/adapters/local/lancedb-live-chunks.js';
import { cachedStem, wordTerms, tokenize } from '../../../src/adapters/local/text-features.js';

// The local index's stemmer sits with the document pipeline's tests, like the embedder's.
// Expected stems are Snowball's published Porter2 outputs (its english voc.txt / output.txt).
describe('porter2', () => {
  it.each([
    ['generously', 'generous'], // R1 after "gener"
    ['running', 'run'], // -ing, then undoubling
    ['cells', 'cell'],
    ['studies', 'studi'], // -ies after two or more letters
    ['ties', 'tie'], // -ies after one letter
    ['cries', 'cri'],
    ['gaps', 'gap'],
    ['gas', 'gas'], // the s follows the word's only vowel
    ['caresses', 'caress'],
    ['hoped', 'hope'], // a short word gets its e back
    ['hopping', 'hop'],
    ['agreed', 'agre'],
    ['feed', 'feed'], // -eed outside R1
    ['exceeding', 'exceed'],
    ['proceed', 'proceed'], // exception after step 1a
    ['communication', 'communic'], // R1 after "commun"
    ['generation', 'generat'],
    ['conspiracy', 'conspiraci'],
    ['conspirators', 'conspir'],
    ['knightly', 'knight'],
    ['conditional', 'condit'],
    ['differently', 'differ'],
    ['hopefulness', 'hope'],
    ['callousness', 'callous'],
    ['sensibility', 'sensibl'],
    ['electricity', 'electr'],
    ['electrical', 'electr'],
    ['goodness', 'good'],
    ['allowance', 'allow'],
    ['defensible', 'defens'],
    ['adjustment', 'adjust'],
    ['adoption', 'adopt'], // -ion after t
    ['effective', 'effect'],
    ['controll', 'control'],
    ['yelled', 'yell'],
    ['yellow', 'yellow'], // initial y is a consonant
    ['sayings', 'say'], // y after a vowel is a consonant
    ['enjoying', 'enjoy'],
    ['happily', 'happili'],
    ['sky', 'sky'], // invariant exception
    ['news', 'news'],
    ['dying', 'die'], // exception
    ['skies', 'sky'],
    ['by', 'by'], // two letters: left alone
  ])('%s -> %s', (word, expected) => {
    expect(porter2(word)).toBe(expected);
  });

  it('leaves digits alone and treats them as consonants', () => {
    expect(porter2('p53')).toBe('p53');
    expect(porter2('il6')).toBe('il6');
    expect(porter2('il6s')).toBe('il6');
    expect(porter2('cd4s')).toBe('cd4s'); // no vowel before the letter ahead of the s
  });
});

describe('word terms of the BM25 ranking', () => {
  it('drop the commonest function words, keep meaningful ones, and stem the rest', () => {
    expect(wordTerms(tokenize('The cells are not dying after more studies'))).toEqual([
      'cell',
      'die',
      'after',
      'more',
      'studi',
    ]);
    expect(cachedStem('generously')).toBe('generous');
    expect(cachedStem('generously')).toBe('generous'); // memoized
  });

  it('add the letter and digit runs of mixed tokens, so joined and hyphenated names meet', () => {
    expect(wordTerms(tokenize('BRCA1 and IL-6'))).toEqual(['brca1', 'brca', '1', 'il', '6']);
    expect(wordTerms(tokenize('IL6 levels'))).toEqual(['il6', 'il', '6', 'level']);
    expect(wordTerms(tokenize('p53 in 2024'))).toEqual(['p53', 'p', '53', '2024']);
  });

  it('let a query find another form of its words', () => {
    const live = new LiveChunks(100);
    const chunk = (source: string, content: string) => ({
      id: `${source}#0`,
      source,
      content,
      position: 0,
      metadata: {},
    });
    live.replace('a', [chunk('a', 'Vitamin D was studied in older adults.')], false);
    live.replace('b', [chunk('b', 'Weather forecasts for tomorrow.')], false);
    expect(live.keyword('studies of vitamins', 10).map((r) => r.chunk.source)).toEqual(['a']);
    expect(live.keyword('generalizations', 10)).toEqual([]);
  });
});
