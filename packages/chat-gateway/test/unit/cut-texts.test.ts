import { describe, expect, it } from 'vitest';
import { snippet } from '../../src/engine/citations.js';
import { quote } from '../../src/protocol/parse-frame.js';
import { MAX_TITLE_CHARS, toTitle, withQuestion } from '../../src/sessions/conversation-list.js';

const EMOJI = '\u{1F600}'; // two UTF-16 units: a surrogate pair
const LONE_SURROGATE = /\p{Surrogate}/u;

describe('texts cut for the page, the store and the model stay well-formed', () => {
  // The pair straddles each place's cut, so a plain slice keeps its first half.
  it('a conversation title from a question with an emoji at the cut', () => {
    const question = `${'x'.repeat(MAX_TITLE_CHARS - 2)}${EMOJI} and more words`;
    const title = toTitle(question);
    expect(title).not.toMatch(LONE_SURROGATE);
    expect(title).toBe(`${'x'.repeat(MAX_TITLE_CHARS - 2)}…`);
  });

  it('the search text of a long conversation', () => {
    const searchText = withQuestion('', `${'q'.repeat(19_999)}${EMOJI}`);
    expect(searchText).not.toMatch(LONE_SURROGATE);
    expect(searchText).toHaveLength(19_999);
  });

  it('a citation snippet', () => {
    expect(snippet(`${'a'.repeat(279)}${EMOJI}${'b'.repeat(50)}`)).not.toMatch(LONE_SURROGATE);
  });

  it('a quote of what the client sent, in an error frame', () => {
    expect(quote(`${'x'.repeat(62)}${EMOJI}`)).not.toMatch(LONE_SURROGATE);
  });
});
