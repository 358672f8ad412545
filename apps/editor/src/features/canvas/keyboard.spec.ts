import { describe, expect, it } from 'vitest';
import { editorCommand } from './keyboard';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
const canvas = { tagName: 'DIV' };

describe('editorCommand', () => {
  it('maps undo/redo on Ctrl and Cmd', () => {
    expect(editorCommand(key('z', { ctrlKey: true }), canvas)).toBe('undo');
    expect(editorCommand(key('Z', { metaKey: true, shiftKey: true }), canvas)).toBe('redo');
    expect(editorCommand(key('y', { ctrlKey: true }), canvas)).toBe('redo');
    expect(editorCommand(key('d', { ctrlKey: true }), canvas)).toBe('duplicate');
    expect(editorCommand(key('Delete'), canvas)).toBe('delete');
    expect(editorCommand(key('Backspace'), canvas)).toBe('delete');
    expect(editorCommand(key('Escape'), canvas)).toBe('deselect');
    expect(editorCommand(key('a'), canvas)).toBeNull();
  });
  it('leaves text fields alone', () => {
    expect(editorCommand(key('z', { ctrlKey: true }), { tagName: 'INPUT' })).toBeNull();
    expect(editorCommand(key('Delete'), { tagName: 'TEXTAREA' })).toBeNull();
    expect(editorCommand(key('Delete'), { tagName: 'DIV', isContentEditable: true })).toBeNull();
  });
});
