/** Staff roles (users.role). */
export const STAFF_ROLES = ["operator", "handler", "supervisor", "inspector", "publisher", "admin"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const ROLE_LABELS: Record<StaffRole, string> = {
  operator: "接线员",
  handler: "承办人",
  supervisor: "督办",
  inspector: "纪检监察",
  publisher: "信息发布",
  admin: "系统管理员",
};

/** The signed-in staff member, as every console route and page sees them. */
export interface StaffPrincipal {
  userId: number;
  username: string;
  displayName: string;
  role: StaffRole;
  unitId: number;
  unitCode: string;
  /** units.kind: department | poverty_office | discipline | hotline | town_office */
  unitKind: string;
  unitName: string;
  unitLevel: "city" | "district" | "town";
  /** The unit's district (null for city-level units). */
  districtId: number | null;
}
