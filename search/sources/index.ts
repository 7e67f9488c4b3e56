import type { SearchSource, SearchType } from "../contract";
import { allocationSource } from "./allocation";
import { honorSource } from "./honor";
import { noticeSource } from "./notice";
import { photoSource } from "./photo";
import { policySource } from "./policy";
import { projectSource } from "./project";
import { yearbookSource } from "./yearbook";

// Each public content type registers its source here (one line per type).
export const searchSources: Partial<Record<SearchType, SearchSource>> = {
  policy: policySource,
  yearbook: yearbookSource,
  photo: photoSource,
  honor: honorSource,
  allocation: allocationSource,
  project: projectSource,
  notice: noticeSource,
};
