import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  color: string;
  dash?: number[];
  /** Fill down to the series at this index (a band between two lines). */
  fillTo?: number;
}

/** A uPlot time chart: x in Unix seconds, one array per series (null = no value). */
export function TimeChart({
  x,
  ys,
  series,
  height = 260,
}: {
  x: number[];
  ys: (number | null)[][];
  series: Series[];
  height?: number;
}) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (element === null) return;
    const plot = new uPlot(
      {
        width: element.clientWidth || 800,
        height,
        series: [
          {},
          ...series.map((entry) => ({
            label: entry.label,
            stroke: entry.color,
            width: 2,
            ...(entry.dash === undefined ? {} : { dash: entry.dash }),
          })),
        ],
        bands: series.flatMap((entry, index) =>
          entry.fillTo === undefined
            ? []
            : [{ series: [index + 1, entry.fillTo + 1] as [number, number], fill: 'rgba(80,130,220,0.15)' }],
        ),
        axes: [{}, { size: 60 }],
      },
      [x, ...ys] as uPlot.AlignedData,
      element,
    );
    return () => plot.destroy();
  }, [x, ys, series, height]);
  return <div class="chart" ref={holder} />;
}
