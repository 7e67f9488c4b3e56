import { integer } from "drizzle-orm/pg-core";
import { districts, towns, villages } from "./reference";

/** Where a record is: its district, and its town and village when it is that local. */
export const placeColumns = () => ({
  districtId: integer("district_id")
    .notNull()
    .references(() => districts.id),
  townId: integer("town_id").references(() => towns.id),
  villageId: integer("village_id").references(() => villages.id),
});

/** A household's district and village, kept on each of its records for the public sums by place. */
export const householdPlaceColumns = () => ({
  districtId: integer("district_id")
    .notNull()
    .references(() => districts.id),
  villageId: integer("village_id")
    .notNull()
    .references(() => villages.id),
});
