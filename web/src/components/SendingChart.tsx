// Recipients per hour (external stacked on internal) against the hourly limits, as an inline SVG, plus
// the busiest rolling 24 hours against the daily limit: what happened, at a glance.
import { makeStyles, Tab, TabList, Text, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { HourCount } from '../types.js';

const useStyles = makeStyles({
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: '12px',
    fontSize: tokens.fontSizeBase200,
    color: tokens.colorNeutralForeground2,
    marginTop: '4px',
  },
  swatch: { display: 'inline-block', width: '10px', height: '10px', marginRight: '4px', verticalAlign: 'middle' },
  svg: { width: '100%', height: 'auto', display: 'block' },
});

const EXTERNAL = tokens.colorBrandBackground;
const INTERNAL = tokens.colorPaletteTealBorderActive;
const LIMIT_EXT = tokens.colorPaletteRedBorderActive;
const LIMIT_INT = tokens.colorPaletteMarigoldBorderActive;

export interface Limits {
  externalPerHour: number;
  internalPerHour: number;
  perDay: number;
}

export function SendingChart({ hours, limits }: { hours: HourCount[]; limits: Limits }) {
  const s = useStyles();
  const [range, setRange] = useState<'24h' | '7d'>('24h');
  const shown = range === '24h' ? hours.slice(-24) : hours.slice(-168);
  const W = 560;
  const H = 180;
  const left = 36;
  const bottom = 20;
  const top = 8;
  const maxBar = Math.max(0, ...shown.map((h) => h.External + h.Internal));
  const scale = Math.max(1, maxBar * 1.2, Math.min(limits.externalPerHour * 1.1, Math.max(maxBar * 4, 10)));
  const y = (v: number): number => top + (H - top - bottom) * (1 - Math.min(v, scale) / scale);
  const bw = (W - left - 4) / Math.max(1, shown.length);
  let busiest = 0;
  for (let i = 0; i < hours.length; i++) {
    const sum = hours.slice(Math.max(0, i - 23), i + 1).reduce((a, h) => a + h.External + h.Internal, 0);
    busiest = Math.max(busiest, sum);
  }
  const total = shown.reduce((a, h) => a + h.External + h.Internal, 0);
  const label = `Recipients per hour, ${range === '24h' ? 'last 24 hours' : 'last 7 days'}: ${total} in total, at most ${maxBar} in one hour; external limit ${limits.externalPerHour} per hour, internal limit ${limits.internalPerHour} per hour.`;
  const lines = [
    { v: limits.externalPerHour, color: LIMIT_EXT, name: `External limit ${limits.externalPerHour}/h` },
    { v: limits.internalPerHour, color: LIMIT_INT, name: `Internal limit ${limits.internalPerHour}/h` },
  ];
  const ticks = [0, Math.round(scale / 2), Math.round(scale)];
  const first = shown[0]?.Hour;
  const last = shown[shown.length - 1]?.Hour;
  const fmt = (iso: string | undefined): string =>
    iso
      ? new Date(iso).toLocaleString(
          undefined,
          range === '24h' ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric' },
        )
      : '';
  return (
    <div data-testid="sending-chart">
      <TabList size="small" selectedValue={range} onTabSelect={(_e, d) => setRange(d.value as '24h' | '7d')} aria-label="Chart range">
        <Tab value="24h">Last 24 hours</Tab>
        <Tab value="7d">Last 7 days</Tab>
      </TabList>
      <svg className={s.svg} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
        <title>{label}</title>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={left} x2={W} y1={y(t)} y2={y(t)} stroke={tokens.colorNeutralStroke2} strokeWidth={0.5} />
            <text x={left - 4} y={y(t) + 3} fontSize={9} textAnchor="end" fill={tokens.colorNeutralForeground3}>
              {t}
            </text>
          </g>
        ))}
        {shown.map((h, i) => {
          const x = left + i * bw + (bw > 4 ? 1 : 0);
          const w = Math.max(0.5, bw - (bw > 4 ? 2 : 0.2));
          return (
            <g key={h.Hour}>
              <rect x={x} width={w} y={y(h.Internal)} height={H - bottom - y(h.Internal)} fill={INTERNAL} />
              <rect x={x} width={w} y={y(h.Internal + h.External)} height={y(h.Internal) - y(h.Internal + h.External)} fill={EXTERNAL}>
                <title>{`${new Date(h.Hour).toLocaleString()}: ${h.External} external, ${h.Internal} internal`}</title>
              </rect>
            </g>
          );
        })}
        {lines
          .filter((l) => l.v <= scale)
          .map((l) => (
            <line key={l.name} x1={left} x2={W} y1={y(l.v)} y2={y(l.v)} stroke={l.color} strokeWidth={1.5} strokeDasharray="5 3" />
          ))}
        <text x={left} y={H - 6} fontSize={9} fill={tokens.colorNeutralForeground3}>
          {fmt(first)}
        </text>
        <text x={W} y={H - 6} fontSize={9} textAnchor="end" fill={tokens.colorNeutralForeground3}>
          {fmt(last)}
        </text>
      </svg>
      <div className={s.legend}>
        <span>
          <span className={s.swatch} style={{ background: EXTERNAL }} />
          External recipients
        </span>
        <span>
          <span className={s.swatch} style={{ background: INTERNAL }} />
          Internal recipients
        </span>
        {lines.map((l) => (
          <span key={l.name}>
            <span className={s.swatch} style={{ background: l.color }} />
            {l.name}
            {l.v > scale ? ' (above the chart)' : ''}
          </span>
        ))}
      </div>
      <Text size={200} block style={{ marginTop: 4 }}>
        Busiest 24 hours in the last 7 days: {busiest} of {limits.perDay} recipients (daily limit).
      </Text>
    </div>
  );
}
