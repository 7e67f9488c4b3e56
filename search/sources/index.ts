import type { SearchSource, SearchType } from "../contract";
import { honorSource } from "./honor";
import { photoSource } from "./photo";
import { policySource } from "./policy";
import { yearbookSource } from "./yearbook";

// Each public content type registers its source here (one line per type).
export const searchSources: Partial<Record<SearchType, SearchSource>> = {
  policy: policySource,
  yearbook: yearbookSource,
  photo: photoSource,
  honor: honorSource,
};
