import type { Identity } from '../ports/session-store.js';

/** Tools that change the document index: limited like uploads (CHAT_UPLOAD_GROUPS). */
const DOCUMENT_WRITE_TOOLS = new Set(['ingest_document', 'delete_document']);

export interface ToolPermissionsOptions {
  /** CHAT_UPLOAD_GROUPS; none: whoever may connect. */
  uploadGroups?: readonly string[];
  /** CHAT_DESTRUCTIVE_TOOL_GROUPS; none: whoever may connect. */
  destructiveToolGroups?: readonly string[];
  /** The signed-in user of a session; undefined when anonymous (or the session is gone). */
  identityOf: (sessionId: string) => Promise<Identity | undefined>;
}

/** True when the identity is in one of `groups`, or no groups are required. */
export function inGroups(identity: Identity | undefined, groups?: readonly string[]): boolean {
  if (!groups || groups.length === 0) return true;
  return (identity?.groups ?? []).some((g) => groups.includes(g));
}

/** What a refusal says: which setting, which groups, and what to do. */
export function groupRefusal(what: string, variable: string, groups: readonly string[]): string {
  return `${what} is limited to members of the groups ${groups.join(', ')} (${variable}), and you are in none of them; ask an administrator to add you to one, or sign in as a member.`;
}

/**
 * Who may run which tool in a chat, by the groups of the session's user (their identity's
 * groups claim): destructive calls (those that ask for approval) need CHAT_DESTRUCTIVE_TOOL_GROUPS,
 * tools that change the documents need CHAT_UPLOAD_GROUPS. Unset: anyone who may connect.
 */
export class ToolPermissions {
  constructor(private readonly options: ToolPermissionsOptions) {}

  /** Why the session's user may not run this call, or undefined when they may. */
  async refusal(
    toolName: string,
    destructive: boolean,
    sessionId: string,
  ): Promise<string | undefined> {
    const { uploadGroups, destructiveToolGroups } = this.options;
    const needsUpload = DOCUMENT_WRITE_TOOLS.has(toolName) && (uploadGroups?.length ?? 0) > 0;
    const needsDestructive = destructive && (destructiveToolGroups?.length ?? 0) > 0;
    if (!needsUpload && !needsDestructive) return undefined;
    const identity = await this.options.identityOf(sessionId);
    if (needsUpload && !inGroups(identity, uploadGroups))
      return groupRefusal(`Changing documents (${toolName})`, 'CHAT_UPLOAD_GROUPS', uploadGroups!);
    if (needsDestructive && !inGroups(identity, destructiveToolGroups))
      return groupRefusal(
        `Approving ${toolName} (a tool that changes data)`,
        'CHAT_DESTRUCTIVE_TOOL_GROUPS',
        destructiveToolGroups!,
      );
    return undefined;
  }
}
