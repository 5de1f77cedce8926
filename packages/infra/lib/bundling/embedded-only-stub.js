// CommonJS (this folder's package.json), so esbuild accepts any named import from it.
// Stands in, inside the MCP server's Lambda bundle, for modules only its embedded (local) stores
// use (dynalite, LanceDB, Apache Arrow). esbuild hoists an external module's import to the top
// of an ESM bundle even when the source imports it lazily, so leaving them external would make
// the bundle fail to load on Lambda, where they are not installed. On Lambda the stores are
// DynamoDB and OpenSearch, so nothing here is ever called.
module.exports = {};
