import type { ConnectorDescriptor } from '@braid/flow-model';

/**
 * A connector's SVG icon. The SVG is rendered as an image (data: URL), never inlined into the page, so
 * markup in it cannot run scripts or reach the DOM.
 */
export function ConnectorIcon({ connector, size = 20, title }: { connector: Pick<ConnectorDescriptor, 'icon' | 'title' | 'key'> | undefined; size?: number; title?: string }) {
  const label = title ?? connector?.title ?? 'Unknown app';
  if (!connector?.icon || !connector.icon.trim().startsWith('<svg')) {
    return (
      <span className="connector-icon connector-icon-fallback" style={{ width: size, height: size, fontSize: size * 0.55 }} role="img" aria-label={label} title={label}>
        {(connector?.title ?? '?').slice(0, 1).toUpperCase()}
      </span>
    );
  }
  return <img className="connector-icon" src={svgDataUrl(connector.icon)} width={size} height={size} alt={label} title={label} />;
}

export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
