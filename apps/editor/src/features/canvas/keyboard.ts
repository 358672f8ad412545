/** What a key press in the editor means (null = not ours). Text fields keep their own undo and Delete. */
export type EditorCommand = 'undo' | 'redo' | 'delete' | 'duplicate' | 'deselect';

export function editorCommand(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>, target: { tagName?: string; isContentEditable?: boolean } | null): EditorCommand | null {
  const tag = target?.tagName?.toLowerCase();
  const typing = tag === 'input' || tag === 'textarea' || tag === 'select' || Boolean(target?.isContentEditable);
  if (typing) return null;
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (mod && !event.altKey && key === 'z') return event.shiftKey ? 'redo' : 'undo';
  if (mod && !event.altKey && key === 'y') return 'redo';
  if (mod && !event.altKey && key === 'd') return 'duplicate';
  if (!mod && (event.key === 'Delete' || event.key === 'Backspace')) return 'delete';
  if (event.key === 'Escape') return 'deselect';
  return null;
}
