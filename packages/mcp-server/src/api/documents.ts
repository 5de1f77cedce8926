/**
 * `chatbot-mcp-server/documents`: how the server shows document text (fenced passages, quoted
 * names, visible bidi controls), shared with the chat gateway's RAG prompt. Pure functions:
 * importing it loads no store, no file system code and no SDK, so a Lambda bundle stays small.
 */
export {
  renderPassages,
  quoted,
  inert,
  citationPlace,
  type PassageView,
} from '../tools/passage-text.js';
export { visibleBidi, visibleInTerminal } from '../tools/display-text.js';
/** The word analysis of the local index (tokens, stop words, Porter2 terms), for answer extraction. */
export { tokenize, wordTerms, STOP_WORDS } from '../adapters/local/text-features.js';
