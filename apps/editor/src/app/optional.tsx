import { type ComponentType, lazy, type LazyExoticComponent } from 'react';

// Pages and widgets other features provide. They are found at build time: a file that is not there yet
// simply leaves its route showing "not installed" instead of breaking the build.
const modules = import.meta.glob<Record<string, unknown>>([
  '../features/connections/ConnectionsPage.tsx',
  '../features/connections/AddConnectionDialog.tsx',
  '../features/runs/RunsPage.tsx',
  '../features/runs/RunDetailPage.tsx',
  '../features/webhook-help/WebhookHelp.tsx',
  '../features/templates/TemplatesPage.tsx',
]);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyComponent = ComponentType<any>;
const cache = new Map<string, LazyExoticComponent<AnyComponent>>();

/** The lazily loaded export `name` of `file` (relative to src/app), or null when the file does not exist. */
export function optionalComponent<P>(file: string, name: string): LazyExoticComponent<ComponentType<P>> | null {
  const load = modules[file];
  if (!load) return null;
  const key = `${file}#${name}`;
  let component: LazyExoticComponent<AnyComponent> | undefined = cache.get(key);
  if (!component) {
    component = lazy(async () => {
      const module = await load();
      const found = module[name];
      if (typeof found !== 'function' && typeof found !== 'object') throw new Error(`${file} does not export ${name}`);
      return { default: found as AnyComponent };
    });
    cache.set(key, component);
  }
  return component as unknown as LazyExoticComponent<ComponentType<P>>;
}

export const hasTemplatesPage = () => Boolean(modules['../features/templates/TemplatesPage.tsx']);
