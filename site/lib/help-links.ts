import type { StaffRole } from "../../domain/auth/principal";
import { helpHref } from "./manuals";

// The console's 帮助 link: each console page opens the section of the signed-in role's manual that
// explains it (docs/zh/<role>.md; the headings are checked by test/unit/docs.test.ts). The first
// matching path prefix wins; a page without its own section opens the role's 登录工作台 section.

export const CONSOLE_HELP: Record<StaffRole, [pathPrefix: string, heading: string][]> = {
  operator: [
    ["/console/intake", "登记来电"],
    ["/console/tickets", "查看登记的工单"],
  ],
  supervisor: [
    ["/console/tickets/", "受理和派单"],
    ["/console/tickets", "工单队列"],
  ],
  handler: [
    ["/console/tickets/", "签收和答复"],
    ["/console/tickets", "查看待办工单"],
  ],
  inspector: [
    ["/console/tickets/", "查看反映人身份"],
    ["/console/tickets", "查看纪检监察工单"],
    ["/console/audit", "核验审计日志"],
  ],
  publisher: [
    ["/console/publish/funds", "导入资金分配"],
    ["/console/publish/imports", "导入拨付、户籍登记、项目支出和危房改造申请"],
    ["/console/publish/payments", "导入拨付、户籍登记、项目支出和危房改造申请"],
    ["/console/publish/spending", "登记项目支出"],
    ["/console/publish/projects", "项目阶段和资产登记"],
    ["/console/publish/housing-cases", "危房改造申请"],
    ["/console/publish/beneficiary-lists", "发布公示名单"],
    ["/console/publish/notices", "发布项目公示"],
    ["/console/publish", "发布项目公示"],
  ],
  admin: [
    ["/console/users", "新建账号"],
    ["/console/audit", "核验审计日志"],
  ],
};

/** The section every role manual starts with. */
export const CONSOLE_HELP_DEFAULT = "登录工作台";

/** Where the 帮助 link of a console page points, for this role. */
export function consoleHelpHref(role: StaffRole, pathname: string): string {
  const match = CONSOLE_HELP[role].find(([prefix]) => pathname.startsWith(prefix));
  return helpHref(role, match ? match[1] : CONSOLE_HELP_DEFAULT);
}
