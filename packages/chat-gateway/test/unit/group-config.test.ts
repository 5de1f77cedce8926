import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../src/config.js';
import { ToolPermissions, inGroups } from '../../src/engine/tool-permissions.js';

describe('CHAT_UPLOAD_GROUPS and CHAT_DESTRUCTIVE_TOOL_GROUPS', () => {
  it('reads comma-separated group names; unset or blank means no limit', () => {
    const config = loadGatewayConfig({
      CHAT_UPLOAD_GROUPS: ' editors, admins ,',
      CHAT_DESTRUCTIVE_TOOL_GROUPS: 'admins',
    });
    expect(config.uploadGroups).toEqual(['editors', 'admins']);
    expect(config.destructiveToolGroups).toEqual(['admins']);
    const open = loadGatewayConfig({ CHAT_UPLOAD_GROUPS: ' , ' });
    expect(open.uploadGroups).toBeUndefined();
    expect(open.destructiveToolGroups).toBeUndefined();
  });

  it('names the variable when a group name is unusable', () => {
    expect(() => loadGatewayConfig({ CHAT_DESTRUCTIVE_TOOL_GROUPS: 'a\u0007b' })).toThrow(
      /^CHAT_DESTRUCTIVE_TOOL_GROUPS: /,
    );
  });

  it('lets members through, refuses others and anonymous users, and asks nothing of read-only calls', async () => {
    const member = { issuer: 'i', subject: 'a', groups: ['admins'] };
    const other = { issuer: 'i', subject: 'b', groups: ['staff'] };
    expect(inGroups(undefined, undefined)).toBe(true);
    expect(inGroups(undefined, ['admins'])).toBe(false);
    const who = new Map([
      ['s-member', member],
      ['s-other', other],
    ]);
    const permissions = new ToolPermissions({
      uploadGroups: ['editors'],
      destructiveToolGroups: ['admins'],
      identityOf: (sessionId) => Promise.resolve(who.get(sessionId)),
    });
    expect(await permissions.refusal('delete_record', true, 's-member')).toBeUndefined();
    expect(await permissions.refusal('delete_record', true, 's-other')).toMatch(
      /CHAT_DESTRUCTIVE_TOOL_GROUPS/,
    );
    expect(await permissions.refusal('delete_record', true, 's-anonymous')).toMatch(
      /ask an administrator/,
    );
    expect(await permissions.refusal('read_record', false, 's-other')).toBeUndefined();
    // Changing documents needs the upload groups, even for a member of the destructive ones.
    expect(await permissions.refusal('ingest_document', false, 's-member')).toMatch(
      /CHAT_UPLOAD_GROUPS/,
    );
  });
});
