/** Whether an UPDATE changed exactly one row: the outcome of a compare-and-set. */
export function updatedOne(result: { numUpdatedRows: bigint }): boolean {
  return Number(result.numUpdatedRows) === 1;
}
