/**
 * Orders release versions: dot-separated parts, numeric parts numerically (1.10 > 1.9, and the
 * pipeline's 1.<yyyymmddhhmm> grows with time), other parts as text; a pre-release suffix (-test)
 * sorts before the plain version.
 */
export function compareVersions(a: string, b: string): number {
  const [coreA = '', preA] = a.split('-', 2);
  const [coreB = '', preB] = b.split('-', 2);
  const partsA = coreA.split('.');
  const partsB = coreB.split('.');
  for (let index = 0; index < Math.max(partsA.length, partsB.length); index++) {
    const x = partsA[index] ?? '0';
    const y = partsB[index] ?? '0';
    const order = /^\d+$/.test(x) && /^\d+$/.test(y) ? Math.sign(Number(x) - Number(y)) : x.localeCompare(y);
    if (order !== 0) return order;
  }
  if (preA === undefined || preB === undefined) return preA === preB ? 0 : preA === undefined ? 1 : -1;
  return preA.localeCompare(preB);
}
