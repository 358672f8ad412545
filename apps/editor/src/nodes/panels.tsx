import type { Step } from '@braid/flow-model';
import { ActionPanel } from './action/ActionPanel';
import { BranchPanel } from './branch/BranchPanel';
import { ForEachPanel } from './forEach/ForEachPanel';
import { MapPanel } from './map/MapPanel';
import { UpsertWithLinkPanel } from './upsertWithLink/UpsertWithLinkPanel';

/** The side panel of a step, by kind (one folder per kind). */
export function KindPanel({ step }: { step: Step }) {
  switch (step.kind) {
    case 'action':
      return <ActionPanel step={step} />;
    case 'branch':
      return <BranchPanel step={step} />;
    case 'forEach':
      return <ForEachPanel step={step} />;
    case 'map':
      return <MapPanel step={step} />;
    case 'upsertWithLink':
      return <UpsertWithLinkPanel step={step} />;
  }
}
