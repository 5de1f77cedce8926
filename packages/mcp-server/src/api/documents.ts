/**
 * `chatbot-mcp-server/documents`: the rules the chat gateway shares with the server for
 * document files and document text, so both name and show documents the same way. Light by
 * design: importing it loads neither LanceDB nor the AWS SDK.
 */
export { documentSourceName } from '../files/source-name.js';
export {
  readDocumentFile,
  type DocumentFile,
  type ContentType as DocumentFileType,
} from '../files/read-document-file.js';
export {
  discoverFiles,
  SUPPORTED_EXTENSIONS,
  type Discovered,
  type DiscoveredFile,
} from '../files/discover-files.js';
export {
  renderPassages,
  quoted,
  inert,
  citationPlace,
  type PassageView,
} from '../tools/passage-text.js';
export { visibleBidi, visibleInTerminal } from '../tools/display-text.js';
