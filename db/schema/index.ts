// The whole schema, one module per domain. Add a domain's tables here.

export * from "./archive";
export * from "./asset-income";
export * from "./asset-inspections";
export * from "./evidence";
export * from "./files";
export * from "./funds";
export * from "./hotline";
export * from "./housing-photos";
export * from "./ledger";
export * from "./money";
export * from "./money-progress";
export * from "./monitor";
export * from "./notices";
export * from "./open311";
export * from "./reference";
export * from "./search";
export * from "./staff";
export * from "./throttle";
export * from "./transparency";
