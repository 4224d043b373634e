// What the Insights forms edit and choose from.
export type Named = { id: string; name: string; nameHe: string };
export type SavedSegment = { id: string; name: string; filters: string; updatedAt: string };
export type Content = { language: string; subject: string; body: string; smsSegments?: { encoding: string; units: number; segments: number } | null };
export type CampaignVariant = { key: string; weight: number; incentivePoints: number; contents: Content[] };
export type CampaignSettings = {
  id: string; name: string; status: string; medium?: string; scheduledAt?: string | null; audienceKind?: string; audienceTierIds?: string[];
  audienceSegment?: string | null; audienceSavedSegmentId?: string | null; defaultLanguage?: string; holdoutPercent: number;
  attributionDays?: number; winnerMetric?: string; variants?: CampaignVariant[];
};
export type InsightChoices = { tiers: Named[]; savedSegments: SavedSegment[] };
