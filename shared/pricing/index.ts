/** Lambda pricing: pure, exact, and usable from both the engine and the UI. */
export { add, dec, sumExact, toFixed, toNumber, type Dec } from './decimal';
export {
  defaultPriceTable,
  regionPrices,
  validateTable,
  withOverrides,
  type ArchPrices,
  type DurationTier,
  type PriceOverrides,
  type PriceTable,
  type RegionPrices,
} from './table';
export {
  billedDurationMs,
  gbSeconds,
  invocationCost,
  monthlyCost,
  perMonth,
  provisionedConcurrencyCost,
  SECONDS_PER_MONTH,
  type InvocationCost,
  type InvocationInput,
  type MonthlyCost,
  type MonthlyInput,
  type ProvisionedCost,
  type ProvisionedInput,
  type TierUse,
} from './cost';
export { costCurve, type CurveInput, type CurveMarker, type CurvePoint } from './curve';
export { formatGbSeconds, formatUsd, type FormatOptions } from './format';
