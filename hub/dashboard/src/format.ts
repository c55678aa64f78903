/** "42 s", "7 min", "3 h 5 min", "2 d 4 h": ages as people read them at a glance. */
export function age(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3_600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3_600)} h`;
}

export const count = (value: number): string => value.toLocaleString('en-US');

export function money(value: number, currency: string): string {
  try {
    return value.toLocaleString('en-US', { style: 'currency', currency, maximumFractionDigits: 0 });
  } catch {
    return `${count(Math.round(value))} ${currency}`;
  }
}

export const percent = (value: number | null): string => (value === null ? '—' : `${(value * 100).toFixed(1)} %`);
