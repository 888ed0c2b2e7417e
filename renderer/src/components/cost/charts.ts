/**
 * chart.js for the cost charts: the parts they use registered once, colours read from the page's CSS
 * variables (so light and dark both work), and a plugin that draws labelled vertical markers.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartType,
  type Plugin,
} from 'chart.js';
import { formatUsd } from '../../../../shared/pricing';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
);

export { Chart };

/** Every chart here fills the box its parent sizes and redraws at once: no animation on live data. */
export const boxed = { responsive: true, maintainAspectRatio: false, animation: false } as const;

export interface Palette {
  text: string;
  muted: string;
  grid: string;
  accent: string;
  invoke: string;
  ok: string;
  bad: string;
  panel: string;
}

/**
 * The theme's colours now, as rgb() strings; charts re-read them when the colour scheme changes. The variables
 * hold light-dark() pairs, which only a colour property resolves, so each is read back through a probe's `color`.
 */
export function palette(): Palette {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  document.body.append(probe);
  const css = getComputedStyle(probe);
  const v = (name: string, fallback: string) => {
    probe.style.color = `var(${name}, ${fallback})`;
    return css.color;
  };
  try {
    return {
      text: v('--text', '#16191f'),
      muted: v('--muted', '#5f6b7a'),
      grid: v('--border', '#d9dde3'),
      accent: v('--accent', '#0972d3'),
      invoke: v('--invoke', '#ff9900'),
      ok: v('--ok', '#037f0c'),
      bad: v('--bad', '#d91515'),
      panel: v('--panel', '#ffffff'),
    };
  } finally {
    probe.remove();
  }
}

/** Calls `redraw` when the theme (system scheme or the app's data-theme) changes; returns the unsubscriber. */
export function onThemeChange(redraw: () => void): () => void {
  const media = matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', redraw);
  const observer = new MutationObserver(redraw);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class'] });
  return () => {
    media.removeEventListener('change', redraw);
    observer.disconnect();
  };
}

export interface Marker {
  x: number;
  label: string;
  color: string;
  /** Solid for "you are here", dashed for thresholds. */
  solid?: boolean;
}

/** Vertical lines at x values, each labelled at the top; labels step down so neighbours do not overlap. */
export function markersPlugin<T extends ChartType>(get: () => Marker[]): Plugin<T> {
  return {
    id: 'lambench-markers',
    afterDatasetsDraw(chart) {
      const { ctx, chartArea, scales } = chart;
      const x = scales.x;
      if (!x) return;
      const drawn: { left: number; right: number; row: number }[] = [];
      ctx.save();
      ctx.font = '11px system-ui, sans-serif';
      for (const m of get()) {
        const px = x.getPixelForValue(m.x);
        if (!Number.isFinite(px) || px < chartArea.left - 1 || px > chartArea.right + 1) continue;
        ctx.strokeStyle = m.color;
        ctx.lineWidth = m.solid ? 1.5 : 1;
        ctx.setLineDash(m.solid ? [] : [4, 4]);
        ctx.beginPath();
        ctx.moveTo(px, chartArea.top);
        ctx.lineTo(px, chartArea.bottom);
        ctx.stroke();
        const width = ctx.measureText(m.label).width;
        const flip = px + width + 8 > chartArea.right;
        const left = flip ? px - width - 4 : px + 4;
        let row = 0;
        while (drawn.some((d) => d.row === row && left < d.right + 6 && left + width > d.left - 6)) row++;
        drawn.push({ left, right: left + width, row });
        ctx.fillStyle = m.color;
        ctx.fillText(m.label, left, chartArea.top + 12 + row * 14);
      }
      ctx.restore();
    },
  };
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
export const compactNumber = (n: number) => compact.format(n);

/** "$0", "$0.52", "$12", "$1.2K", "$0.00000025": axis ticks, not bills. */
export function compactUsd(n: number): string {
  if (n === 0) return '$0';
  if (Math.abs(n) >= 1000) return `$${compact.format(n)}`;
  return formatUsd(Number(n.toPrecision(2)));
}

/** Grid lines at powers of ten only: a log axis with every minor line is a blur. */
export const decadeGrid = (color: string) => (ctx: { tick?: { value: number } }) =>
  ctx.tick && Number.isInteger(Math.log10(ctx.tick.value)) ? color : 'transparent';

/** An rgb() colour (as palette() gives) at an opacity: canvas fill styles cannot take color-mix(). */
export function alpha(color: string, opacity: number): string {
  const m = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(color);
  return m ? `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${opacity})` : color;
}
