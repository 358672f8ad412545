import { applyEdit, type InsertPosition } from '@braid/flow-model';
import { describe, expect, it } from 'vitest';
import { branchyFlow, emptyFlow, longFlow } from '../../test-support/fixtures';
import { deriveGraph, deriveLayout, emptyPathNodeId, END_NODE_ID, joinNodeId, TRIGGER_NODE_ID } from './graph.derive';

describe('deriveGraph', () => {
  it('draws an empty flow as trigger → end with one "+" after the trigger', () => {
    const view = deriveGraph(emptyFlow());
    expect(view.nodes.map((n) => n.id)).toEqual([TRIGGER_NODE_ID, END_NODE_ID]);
    expect(view.edges).toEqual([expect.objectContaining({ source: TRIGGER_NODE_ID, target: END_NODE_ID, insert: 'trigger', slot: 'after-trigger' })]);
  });

  it('draws branch paths and loop bodies with labelled edges and join nodes', () => {
    const view = deriveGraph(branchyFlow());
    const kinds = Object.fromEntries(view.nodes.map((n) => [n.id, n.kind]));
    expect(kinds).toMatchObject({ find_contact: 'action', found: 'branch', use_it: 'map', create: 'action', lines: 'forEach', line: 'map', [joinNodeId('found')]: 'join', [joinNodeId('lines')]: 'join' });
    const edges = view.edges.map((e) => [e.source, e.target, e.slot, e.label ?? '']);
    expect(edges).toEqual([
      [TRIGGER_NODE_ID, 'find_contact', 'after-trigger', ''],
      ['find_contact', 'found', 'after-find_contact', ''],
      ['found', 'use_it', 'branch-found-yes', 'Found'],
      ['found', 'create', 'else-found', 'Else'],
      ['use_it', joinNodeId('found'), 'after-use_it', ''],
      ['create', joinNodeId('found'), 'after-create', ''],
      [joinNodeId('found'), 'lines', 'after-found', ''],
      ['lines', 'line', 'body-lines', 'For each'],
      ['line', joinNodeId('lines'), 'after-line', ''],
      [joinNodeId('lines'), END_NODE_ID, 'after-lines', ''],
    ]);
    // every slot is unique, so "add-step-<slot>" test ids are unique
    const addable = view.edges.filter((e) => e.addable);
    expect(new Set(addable.map((e) => e.slot)).size).toBe(addable.length);
  });

  it('gives an empty path its own lane with one "+" so a first step can be added there', () => {
    const flow = applyEdit(branchyFlow(), { type: 'deleteStep', stepId: 'create' });
    const view = deriveLayout(flow);
    const placeholder = emptyPathNodeId('else-found');
    expect(view.edges.filter((e) => e.slot === 'else-found')).toEqual([
      expect.objectContaining({ source: 'found', target: placeholder, label: 'Else', addable: true }),
      expect.objectContaining({ source: placeholder, target: joinNodeId('found'), addable: false }),
    ]);
    const at = (id: string) => view.nodes.find((n) => n.id === id)!;
    expect(at(placeholder).x + at(placeholder).width / 2).not.toBeCloseTo(at('use_it').x + at('use_it').width / 2);
    // two empty paths do not share a lane
    const both = deriveLayout(applyEdit(flow, { type: 'deleteStep', stepId: 'use_it' }));
    const a = both.nodes.find((n) => n.id === emptyPathNodeId('branch-found-yes'))!;
    const b = both.nodes.find((n) => n.id === emptyPathNodeId('else-found'))!;
    expect(a.x).not.toBe(b.x);
  });

  it('every edge inserts where flow-model puts the step (the new step sits on that edge)', () => {
    const flow = branchyFlow();
    for (const edge of deriveGraph(flow).edges.filter((e) => e.addable)) {
      const next = applyEdit(flow, { type: 'addStep', after: edge.insert as InsertPosition, step: { kind: 'map', id: 'added', output: {} } });
      const redrawn = deriveGraph(next);
      expect(redrawn.edges.some((e) => e.source === edge.source && e.target === 'added')).toBe(true);
      const target = edge.target;
      expect(redrawn.edges.some((e) => e.source === 'added' && e.target === target)).toBe(true);
    }
  });

  it('shows steps nothing leads to as detached nodes', () => {
    const flow = { ...branchyFlow(), steps: { ...branchyFlow().steps, orphan: { kind: 'map' as const, id: 'orphan', output: {} } } };
    const view = deriveLayout(flow);
    const orphan = view.nodes.find((n) => n.id === 'orphan')!;
    expect(orphan.detached).toBe(true);
    expect(view.edges.some((e) => e.source === 'orphan' || e.target === 'orphan')).toBe(false);
    const rightmost = Math.max(...view.nodes.filter((n) => !n.detached).map((n) => n.x + n.width));
    expect(orphan.x).toBeGreaterThan(rightmost);
  });
});

describe('layoutGraph', () => {
  it('places each step below the one before it and branch paths side by side', () => {
    const view = deriveLayout(branchyFlow());
    const at = (id: string) => view.nodes.find((n) => n.id === id)!;
    expect(at('find_contact').y).toBeGreaterThan(at(TRIGGER_NODE_ID).y);
    expect(at('found').y).toBeGreaterThan(at('find_contact').y);
    expect(at('use_it').y).toBe(at('create').y);
    expect(at('use_it').x).not.toBe(at('create').x);
    expect(at('lines').y).toBeGreaterThan(at('use_it').y);
  });

  it('lays out a flow of 200 steps quickly', () => {
    const flow = longFlow(200);
    expect(Object.keys(flow.steps)).toHaveLength(200);
    const started = performance.now();
    const view = deriveLayout(flow);
    const elapsed = performance.now() - started;
    expect(view.nodes.filter((n) => n.stepId)).toHaveLength(200);
    console.info(`200-step flow: derived and laid out in ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(1000);
    // no two nodes overlap
    const boxes = view.nodes.map((n) => [n.x, n.y, n.x + n.width, n.y + n.height] as const);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i]!, boxes[j]!];
        expect(a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]).toBe(false);
      }
    }
  });
});
