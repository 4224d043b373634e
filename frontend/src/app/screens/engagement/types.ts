// What the Engagement screen reads: the lists its forms edit, and what they choose from.
export type Money = { amount: number; currency: string };
export type Named = { id: string; name: string; nameHe: string };
export type Action = {
  id: string; key: string; nameEn: string; nameHe: string; points: number; isBuiltin: boolean; isEnabled: boolean; pendingDays: number;
  caps: { perDay: number | null; perMonth: number | null; lifetime: number | null; oncePerObject: boolean };
};
export type Challenge = Named & {
  description?: string; descriptionHe?: string; metric: string; target: number; targetAmount: Money | null; actionKind?: string | null;
  window?: string; startsOn: string; endsOn: string | null; windowDays?: number | null; rewardPoints: number; isActive: boolean;
  archivedAt?: string | null; badge: Named | null;
};
export type Plan = {
  id: string; name: string; variantId?: string; term: string; isActive: boolean; monthlyGiftPoints: number; monthlyGiftCredit: Money;
  reminderDays: number; tier: Named;
};
export type Choices = { actions: Action[]; badges: Named[]; tiers: Named[]; currency: string };
export type Draft = Record<string, string | boolean>;

// Form text to the API's types: an empty box is "not given" (null), a number box an integer.
export function intOrNull(value: string | boolean): number | null {
  const text = String(value).trim();
  return text === "" ? null : Number.parseInt(text, 10);
}

export function textOrNull(value: string | boolean): string | null {
  const text = String(value).trim();
  return text === "" ? null : text;
}
