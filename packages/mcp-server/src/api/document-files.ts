/**
 * `chatbot-mcp-server/document-files`: how the ingest command finds and reads document files,
 * shared with the chat gateway's sample documents so both store the same file under the same
 * source name, content type, title and metadata (see `documentSourceName`).
 */
export { documentSourceName } from '../files/source-name.js';
export {
  discoverFiles,
  SUPPORTED_EXTENSIONS,
  type Discovered,
  type DiscoveredFile,
} from '../files/discover-files.js';
export {
  readDocumentFile,
  TEXT_FILE_TYPES,
  type DocumentFile,
  type ContentType as DocumentFileType,
} from '../files/read-document-file.js';
