// Generators for `npm run seed:demo`: Indonesian names, NIKs consistent with birth date,
// gender and kecamatan, phone numbers and verification histories, all drawn from one seeded
// random source so a given --seed always produces the same applicants.

/** A seeded pseudo-random source (mulberry32: 32-bit state, fine for demo data, not crypto). */
export class DemoRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** Picks a key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let roll = this.next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [key, weight] of entries) {
      roll -= weight;
      if (roll < 0) return key;
    }
    return entries[entries.length - 1]![0];
  }
}

const FEMALE_NAMES = [
  "Siti",
  "Dewi",
  "Sri",
  "Ani",
  "Rina",
  "Wulan",
  "Putri",
  "Ayu",
  "Lestari",
  "Nur",
  "Fitri",
  "Indah",
  "Yuni",
  "Ratna",
  "Dian",
  "Sari",
  "Endang",
  "Nurul",
  "Kartini",
  "Mega",
];
const MALE_NAMES = [
  "Budi",
  "Agus",
  "Joko",
  "Eko",
  "Slamet",
  "Ahmad",
  "Rudi",
  "Bambang",
  "Hendra",
  "Andi",
  "Dedi",
  "Wahyu",
  "Yusuf",
  "Rizky",
  "Fajar",
  "Arif",
  "Teguh",
  "Iwan",
  "Bayu",
  "Dimas",
];
const FAMILY_NAMES = [
  "Santoso",
  "Wijaya",
  "Saputra",
  "Hidayat",
  "Pratama",
  "Nugroho",
  "Setiawan",
  "Kurniawan",
  "Rahayu",
  "Susanti",
  "Permata",
  "Siregar",
  "Nasution",
  "Lubis",
  "Harahap",
  "Situmorang",
  "Simanjuntak",
  "Sihombing",
  "Purba",
  "Ginting",
  "Tarigan",
  "Hutapea",
  "Manurung",
  "Pane",
  "Wibowo",
  "Utami",
  "Handayani",
  "Maharani",
  "Firmansyah",
  "Gunawan",
];
export const COMPANIES = [
  "PT Sinar Elektronik",
  "PT Mitra Semikonduktor",
  "CV Maju Jaya",
  "PT Garmen Nusantara",
  "Toko Berkah",
  "PT Pangan Sejahtera",
  "Rumah Makan Sederhana",
  "PT Logam Utama",
];
export const OCCUPATIONS = ["Petani", "Buruh", "Pedagang", "Nelayan", "Wiraswasta", "Guru"];

/** A full name of one or two given names and a family name, by gender (`M` or `F`). */
export function indonesianName(random: DemoRandom, gender: "M" | "F"): string {
  const given = gender === "F" ? FEMALE_NAMES : MALE_NAMES;
  const first = random.pick(given);
  const middle = random.chance(0.3) ? ` ${random.pick(given)}` : "";
  return `${first}${middle} ${random.pick(FAMILY_NAMES)}`;
}

/** A birth date (YYYY-MM-DD) for an age of 18–45 on `today`. */
export function birthDateForAge(random: DemoRandom, today: Date): string {
  const age = random.int(18, 44);
  const birthday = new Date(today);
  birthday.setUTCFullYear(today.getUTCFullYear() - age - 1);
  birthday.setUTCDate(birthday.getUTCDate() + random.int(1, 364));
  return birthday.toISOString().slice(0, 10);
}

/**
 * Builds a NIK: the 6-digit kecamatan code, the birth date as DDMMYY with 40 added to the day
 * for women, and a 4-digit serial. `taken` collects the NIKs issued so far; the serial counts
 * up until the NIK is new.
 */
export function nikFor(
  kecamatanCode: string,
  birthDate: string,
  gender: "M" | "F",
  serial: number,
  taken: Set<string>,
): string {
  const [year, month, day] = birthDate.split("-") as [string, string, string];
  const dayPart = String(Number(day) + (gender === "F" ? 40 : 0)).padStart(2, "0");
  const prefix = `${kecamatanCode}${dayPart}${month}${year.slice(2)}`;
  for (let attempt = 0; attempt < 9999; attempt++) {
    const nik = `${prefix}${String(((serial + attempt) % 9999) + 1).padStart(4, "0")}`;
    if (!taken.has(nik)) {
      taken.add(nik);
      return nik;
    }
  }
  throw new Error(`no free NIK serial left for prefix ${prefix}`);
}

/** An Indonesian mobile number: 08, a provider digit pair and 8 digits. */
export function phoneNumber(random: DemoRandom): string {
  const provider = random.pick(["11", "12", "13", "21", "22", "52", "57", "77", "78", "95"]);
  return `08${provider}${String(random.int(0, 99_999_999)).padStart(8, "0")}`;
}

/** A lower-case ASCII email local part from a name, e.g. `siti.rahayu`. */
export function emailLocalPart(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z]+/g, ".")
    .replace(/^\.|\.$/g, "");
}
