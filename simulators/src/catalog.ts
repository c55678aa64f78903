import { Rng } from './random.ts';

// The chain-wide product catalog. Categories carry the economics a grocery buyer would recognise
// (price band, pack size, how fast it sells, how strongly promotions move it, which suppliers and
// lead times serve it); SKUs are drawn from them deterministically.

export interface Supplier {
  supplierId: string;
  /** Days from order to delivery. */
  leadTimeDays: number;
}

export interface CatalogItem {
  sku: string;
  name: string;
  category: string;
  /** Regular shelf price, major currency units. */
  price: number;
  /** Units per case: orders are whole cases. */
  packSize: number;
  supplierId: string;
  leadTimeDays: number;
  /** Price elasticity of demand (negative): lift = (price / regular) ^ elasticity. */
  elasticity: number;
  /** Chain-average demand weight; each store scales it by its own popularity draw. */
  popularity: number;
}

interface CategorySpec {
  code: string;
  name: string;
  priceRange: [number, number];
  packSizes: number[];
  /** Relative demand of an average SKU of the category. */
  demand: number;
  elasticity: [number, number];
  leadTimes: number[];
}

const categories: readonly CategorySpec[] = [
  {
    code: 'DAI',
    name: 'dairy',
    priceRange: [0.79, 4.99],
    packSizes: [6, 12],
    demand: 3,
    elasticity: [-2, -1.2],
    leadTimes: [1, 2],
  },
  {
    code: 'BAK',
    name: 'bakery',
    priceRange: [0.99, 5.49],
    packSizes: [6, 10],
    demand: 2.5,
    elasticity: [-1.8, -1],
    leadTimes: [1],
  },
  {
    code: 'PRO',
    name: 'produce',
    priceRange: [0.49, 3.99],
    packSizes: [10, 20],
    demand: 3,
    elasticity: [-2.2, -1.2],
    leadTimes: [1, 2],
  },
  {
    code: 'BEV',
    name: 'beverages',
    priceRange: [0.69, 12.99],
    packSizes: [6, 12, 24],
    demand: 2,
    elasticity: [-3, -1.5],
    leadTimes: [2, 3, 4],
  },
  {
    code: 'SNK',
    name: 'snacks',
    priceRange: [0.99, 4.49],
    packSizes: [12, 24],
    demand: 1.5,
    elasticity: [-3.2, -1.8],
    leadTimes: [3, 5],
  },
  {
    code: 'FRZ',
    name: 'frozen',
    priceRange: [1.99, 8.99],
    packSizes: [6, 12],
    demand: 0.8,
    elasticity: [-2.5, -1.5],
    leadTimes: [2, 4],
  },
  {
    code: 'PAN',
    name: 'pantry',
    priceRange: [0.89, 6.99],
    packSizes: [12, 24],
    demand: 1,
    elasticity: [-2, -1.1],
    leadTimes: [3, 5, 7],
  },
  {
    code: 'HOU',
    name: 'household',
    priceRange: [1.49, 14.99],
    packSizes: [6, 12],
    demand: 0.5,
    elasticity: [-2.4, -1.3],
    leadTimes: [5, 7],
  },
  {
    code: 'PCA',
    name: 'personal_care',
    priceRange: [1.29, 11.99],
    packSizes: [6, 12],
    demand: 0.4,
    elasticity: [-2.2, -1.2],
    leadTimes: [5, 7],
  },
  {
    code: 'PET',
    name: 'pet',
    priceRange: [0.99, 24.99],
    packSizes: [4, 12],
    demand: 0.4,
    elasticity: [-1.8, -1],
    leadTimes: [4, 7],
  },
];

/** Prices end in .x9 like real shelf labels. */
export function shelfPrice(raw: number): number {
  return Math.max(0.09, Math.round((Math.floor(raw * 10) / 10 + 0.09) * 100) / 100);
}

export function generateCatalog(seed: number, skuCount: number): CatalogItem[] {
  const rng = Rng.derive(seed, 'catalog');
  // Two suppliers per category: a fast local one and a slower central one.
  const suppliers = new Map<string, Supplier[]>();
  for (const category of categories) {
    suppliers.set(
      category.code,
      [0, 1].map((i) => ({
        supplierId: `SUP-${category.code}-${i + 1}`,
        leadTimeDays:
          category.leadTimes[Math.min(i * (category.leadTimes.length - 1), category.leadTimes.length - 1)] ?? 2,
      })),
    );
  }
  const items: CatalogItem[] = [];
  for (let i = 0; i < skuCount; i++) {
    const category = categories[i % categories.length] as CategorySpec;
    const supplier = rng.pick(suppliers.get(category.code) as Supplier[]);
    const [low, high] = category.priceRange;
    // Zipf-like popularity: a few lines sell a lot, the long tail sells a unit or two a day.
    const popularity = category.demand * rng.lognormal(0.9);
    items.push({
      sku: `${category.code}-${String(i + 1).padStart(5, '0')}`,
      name: `${category.name} item ${i + 1}`,
      category: category.name,
      price: shelfPrice(low * (high / low) ** rng.next()),
      packSize: rng.pick(category.packSizes),
      supplierId: supplier.supplierId,
      leadTimeDays: supplier.leadTimeDays,
      elasticity: Math.round(rng.uniform(...category.elasticity) * 100) / 100,
      popularity,
    });
  }
  return items;
}
