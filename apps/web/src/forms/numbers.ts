/** numberOrUndefined turns a NumberInput value ('' when cleared) into what a zod number field expects. */
export function numberOrUndefined(value: number | string): number | undefined {
  if (value === '') return undefined;
  return typeof value === 'number' ? value : Number(value);
}
