import {
  type HolidayRecord,
  holidayRecord,
  type ProductRecord,
  productRecord,
  type StoreRecord,
  storeRecord,
} from '@tillgate/shared';
import { DAY_MS, holidayOn } from './calendar.ts';
import { generateCatalog } from './catalog.ts';
import type { Scenario } from './scenario.ts';
import { storeIdOf } from './scenario.ts';

// A simulated chain's master data, as the hub's `import-dimensions` takes it: the store registry,
// the product catalog and the holidays the simulator's calendar trades around. Each record is
// checked against its shared contract here, so a simulator change cannot write a file the hub refuses.

/** Which department runs each category (the grocery split a buyer would recognise). */
const departmentOf: Record<string, string> = {
  dairy: 'fresh',
  bakery: 'fresh',
  produce: 'fresh',
  frozen: 'fresh',
  beverages: 'grocery',
  snacks: 'grocery',
  pantry: 'grocery',
  household: 'non-food',
  personal_care: 'non-food',
  pet: 'non-food',
};

const regions = ['north', 'south', 'east', 'west'] as const;
const formats = ['supermarket', 'hypermarket', 'convenience'] as const;
/** Average basket value the daily sales target assumes, in the scenario's currency. */
const AVERAGE_BASKET = 12;

export function storeRecords(scenario: Scenario): StoreRecord[] {
  return Array.from({ length: scenario.stores }, (_, index) =>
    storeRecord.parse({
      store_id: storeIdOf(index),
      store_name: `Store ${index + 1}`,
      region: regions[index % regions.length],
      format: formats[index % formats.length],
      size_sqm: 800 + (index % 5) * 400,
      time_zone: 'Europe/Berlin',
      // The simulator's weekday hours (calendar.ts): first basket at 07:00, last before 21:00.
      opens_at: '07:00',
      closes_at: '21:00',
      daily_sales_target: scenario.basketsPerDay * AVERAGE_BASKET,
    }),
  );
}

export function productRecords(scenario: Scenario): ProductRecord[] {
  return generateCatalog(scenario.seed, scenario.skus).map((item) =>
    productRecord.parse({
      sku: item.sku,
      product_name: item.name,
      category: item.category,
      department: departmentOf[item.category] ?? 'other',
      price: item.price,
      supplier_id: item.supplierId,
      lead_time_days: item.leadTimeDays,
      pack_size: item.packSize,
    }),
  );
}

/** Every holiday of the calendar from `fromYear` for `years` years. */
export function holidayRecords(fromYear: number, years: number): HolidayRecord[] {
  const records: HolidayRecord[] = [];
  const end = Date.UTC(fromYear + years, 0, 1);
  for (let day = Date.UTC(fromYear, 0, 1); day < end; day += DAY_MS) {
    const holiday = holidayOn(day);
    if (holiday !== undefined) {
      records.push(holidayRecord.parse({ date: new Date(day).toISOString().slice(0, 10), holiday_name: holiday.name }));
    }
  }
  return records;
}
