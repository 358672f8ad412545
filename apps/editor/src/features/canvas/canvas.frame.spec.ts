import { describe, expect, it } from 'vitest';
import { nodeFrame } from './canvas.frame';
import { deriveLayout } from './graph.derive';
import { branchyFlow } from '../../test-support/fixtures';

describe('nodeFrame', () => {
  it('gives every node of a flow its size and both handles, so edges never wait for a DOM measurement', () => {
    for (const node of deriveLayout(branchyFlow()).nodes) {
      const frame = nodeFrame(node);
      expect(frame.measured).toEqual({ width: node.width, height: node.height });
      expect(frame.handles.map((h) => [h.type, h.position])).toEqual([
        ['target', 'top'],
        ['source', 'bottom'],
      ]);
      // the handles sit on the node's top and bottom edges, in the middle
      expect(frame.handles[0]).toMatchObject({ x: node.width / 2 - 0.5, y: 0 });
      expect(frame.handles[1]).toMatchObject({ x: node.width / 2 - 0.5, y: node.height - 1 });
    }
  });
});
