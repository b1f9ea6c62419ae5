// chart.js for the panels: the pieces line charts need, no animation (redraws on live data stay cheap and
// screenshots in tests are deterministic), and colours taken from the VS Code theme's CSS variables so the
// charts follow light, dark and high-contrast themes.
import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
  type ChartDataset,
  type Plugin,
} from 'chart.js';

/**
 * Writes the rows the legend takes onto its canvas (data-legend-rows) whenever the chart is drawn: the legend is
 * drawn inside the canvas, and a legend that wraps is a layout fault the page's tests look for.
 */
const legendRows: Plugin<'line'> = {
  id: 'radlabLegendRows',
  afterDraw(chart) {
    const legend = (chart as unknown as { legend?: { legendHitBoxes?: { top: number }[] } }).legend;
    chart.canvas.dataset.legendRows = String(new Set((legend?.legendHitBoxes ?? []).map((box) => box.top)).size);
  },
};

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  CategoryScale,
  Legend,
  Title,
  Tooltip,
  legendRows,
);
Chart.defaults.animation = false;

/** A colour (or other value) of the VS Code theme's CSS variable, or `fallback` outside VS Code. */
export function themeColour(variable: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(variable).trim() || fallback;
}

/** A series palette from the theme's chart colours (VS Code defines --vscode-charts-*). */
export function seriesColour(index: number): string {
  const names: [string, string][] = [
    ['--vscode-charts-blue', '#3794ff'],
    ['--vscode-charts-orange', '#d18616'],
    ['--vscode-charts-green', '#89d185'],
    ['--vscode-charts-red', '#f14c4c'],
    ['--vscode-charts-purple', '#b180d7'],
    ['--vscode-charts-yellow', '#cca700'],
  ];
  const [variable, fallback] = names[index % names.length]!;
  return themeColour(variable, fallback);
}

export interface LineSeries {
  label: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
  /** Palette index; defaults to the series' position. */
  colour?: number;
  /** A colour and dash of the series' own (a run's line style in the Experiments table), instead of the palette's. */
  style?: { colour: string; dash: number[] };
  /** A reference line (such as chance) in the theme's muted text colour instead of a series colour. */
  reference?: boolean;
  /**
   * A step function holding each point's y over the interval that ends at it (a precision-recall curve: precision
   * P_n holds from recall R_{n-1} to R_n, the area average precision sums), not straight lines between points.
   */
  stepsBefore?: boolean;
}

/** The colour of reference lines: VS Code's muted foreground. */
export function referenceColour(): string {
  return themeColour('--vscode-descriptionForeground', '#9d9d9d');
}

/** `xStep` 1 keeps an epoch axis on whole epochs. */
export function lineChart(
  canvas: HTMLCanvasElement,
  title: string,
  xTitle: string,
  yTitle: string,
  range?: { min: number; max: number },
  xStep?: number,
  legendPosition: 'top' | 'right' | 'bottom' = 'top',
): Chart<'line'> {
  const text = themeColour('--vscode-foreground', '#cccccc');
  const grid = themeColour('--vscode-editorWidget-border', '#454545');
  const axis = (label: string, bounds?: { min: number; max: number }, stepSize?: number) => ({
    type: 'linear' as const,
    title: { display: true, text: label, color: text },
    ticks: { color: text, stepSize },
    grid: { color: grid },
    ...bounds,
  });
  return new Chart(canvas, {
    type: 'line',
    data: { datasets: [] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      plugins: {
        title: { display: true, text: title, color: text },
        legend: { position: legendPosition, labels: { color: text, boxWidth: 14 } },
      },
      scales: { x: axis(xTitle, undefined, xStep), y: axis(yTitle, range) },
    },
  });
}

export function setSeries(chart: Chart<'line'>, series: LineSeries[]): void {
  chart.data.datasets = series.map((s, i): ChartDataset<'line'> => {
    const colour = s.style?.colour ?? (s.reference ? referenceColour() : seriesColour(s.colour ?? i));
    return {
      label: s.label,
      data: s.points,
      borderColor: colour,
      backgroundColor: colour,
      borderDash: s.style?.dash ?? (s.dashed ? [6, 4] : []),
      pointRadius: s.points.length > 60 ? 0 : 2,
      tension: 0,
      stepped: s.stepsBefore ? 'before' : false,
    };
  });
  chart.update('none');
}
